package io.depot;

import com.fasterxml.jackson.databind.JsonNode;
import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.depot.testing.TestStack;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import static io.depot.testing.Contents.random;
import static io.depot.testing.Contents.sha256;
import static io.depot.testing.DepotClient.assertError;
import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An Idempotency-Key stands for the whole request, body included: a retry replays the first
 * answer only when it carries the same bytes, and a body that disagrees with its declared
 * digest is refused before anything is stored. Both for streamed uploads and for tickets.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class IdempotencyApiTest
{
    // The smallest part S3 allows, so that a body just past it covers the multipart path cheaply.
    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of("limits.uploadLimit", "20MiB", "storage.partSize", "5MiB"));

    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER = "other".getBytes(StandardCharsets.UTF_8);

    private final String tenant = DepotServer.newTenant();
    private final String token = DepotServer.createToken(tenant);
    private final DepotClient client = new DepotClient(APP, token);
    private final String key = UUID.randomUUID().toString();

    @Test
    void aRetryWithTheSameBytesReplaysTheFirstAnswerWithoutStoringThemAgain()
            throws Exception
    {
        HttpResponse<String> first = send(upload(HELLO).header("Idempotency-Key", key).build());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();

        // The same bytes without a length (chunked) are the same request.
        HttpResponse<String> retry = send(chunkedUpload(HELLO).header("Idempotency-Key", key).build());
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(json(retry).get("id")).isEqualTo(json(first).get("id"));
        assertThat(retry.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));

        assertThat(assetCount()).isEqualTo(1);
        assertThat(TestStack.get().objectFiles(tenant)).hasSize(1);
    }

    @Test
    void differentBytesOfTheSameLengthAre422AndStoreNothing()
            throws Exception
    {
        HttpResponse<String> first = send(upload(HELLO).header("Idempotency-Key", key).build());
        assertThat(first.statusCode()).isEqualTo(201);

        HttpResponse<String> different = send(upload(OTHER).header("Idempotency-Key", key).build());
        assertError(different, 422, "was used for a different body: the first request's SHA-256 was " + sha256(HELLO) + ", this one's is " + sha256(OTHER));
        assertThat(different.headers().firstValue("Idempotent-Replayed")).isEmpty();

        assertThat(assetCount()).isEqualTo(1);
        assertThat(TestStack.get().objectFiles(tenant)).hasSize(1);
        // The refused retry changed nothing: the right bytes still replay the first answer.
        assertThat(json(send(upload(HELLO).header("Idempotency-Key", key).build())).get("id")).isEqualTo(json(first).get("id"));
    }

    @Test
    void chunkedDifferentBytesAre422()
            throws Exception
    {
        assertThat(send(chunkedUpload(HELLO).header("Idempotency-Key", key).build()).statusCode()).isEqualTo(201);

        assertError(send(chunkedUpload(OTHER).header("Idempotency-Key", key).build()), 422, "was used for a different body");
        assertError(send(chunkedUpload("hello, longer".getBytes(StandardCharsets.UTF_8)).header("Idempotency-Key", key).build()), 422,
                "was used for a different body");
        assertThat(assetCount()).isEqualTo(1);
        assertThat(TestStack.get().objectFiles(tenant)).hasSize(1);
    }

    @Test
    void otherParametersUnderAUsedKeyAre422()
            throws Exception
    {
        assertThat(send(upload(HELLO).header("Idempotency-Key", key).build()).statusCode()).isEqualTo(201);

        assertError(send(upload("renamed.txt", "text/plain", HELLO).header("Idempotency-Key", key).build()), 422, "was used for a request with other parameters");
        assertError(send(upload("hello.txt", "text/markdown", HELLO).header("Idempotency-Key", key).build()), 422, "was used for a request with other parameters");
        assertThat(assetCount()).isEqualTo(1);
    }

    @Test
    void twoKeysOnOneRequestAre400AndStoreNothing()
            throws Exception
    {
        // Jersey reads the first of them: the second key's earlier answer was replayed, or the first's.
        assertError(send(upload(HELLO).header("Idempotency-Key", key).header("Idempotency-Key", key + "-other").build()), 400,
                "Idempotency-Key is sent 2 times: send one key");
        assertThat(assetCount()).isZero();
    }

    @Test
    void aDigestHeaderOnARetryIsComparedWithoutReadingTheBody()
            throws Exception
    {
        HttpResponse<String> first = send(upload(HELLO).header("Idempotency-Key", key).build());
        assertThat(first.statusCode()).isEqualTo(201);

        // Each retry announces 10 MiB but sends 5 bytes: an answer proves that the body was never read.
        String replayed = postAnnouncingMoreThanItSends(DeclaredDigests.contentDigest(HELLO));
        assertThat(replayed).startsWith("HTTP/1.1 201").containsIgnoringCase("Idempotent-Replayed: true").contains(json(first).get("id").asText());

        assertThat(postAnnouncingMoreThanItSends("x-amz-checksum-sha256: " + DeclaredDigests.base64Sha256(HELLO))).startsWith("HTTP/1.1 201");

        String refused = postAnnouncingMoreThanItSends(DeclaredDigests.contentDigest(OTHER));
        assertThat(refused).startsWith("HTTP/1.1 422").contains("was used for a different body");
        assertThat(assetCount()).isEqualTo(1);
        assertThat(TestStack.get().objectFiles(tenant)).hasSize(1);
    }

    @Test
    void aDigestHeaderThatDisagreesWithTheBodyIs400AndStoresNothing()
            throws Exception
    {
        assertError(send(upload(OTHER).header("Content-Digest", DeclaredDigests.contentDigestValue(HELLO)).header("Idempotency-Key", key).build()), 400,
                "the body's SHA-256 is " + sha256(OTHER) + " but the request declares " + sha256(HELLO) + "; nothing was stored");
        assertError(send(chunkedUpload(OTHER).header("x-amz-checksum-sha256", DeclaredDigests.base64Sha256(HELLO)).build()), 400, "nothing was stored");
        // Larger than a part: parts already went to S3 when the mismatch shows, and the multipart upload is aborted.
        byte[] large = random(5 * 1024 * 1024 + 3);
        assertError(send(chunkedUpload(large).header("Content-Digest", DeclaredDigests.contentDigestValue(HELLO)).build()), 400, "nothing was stored");
        assertThat(assetCount()).isZero();
        assertThat(TestStack.get().objectFiles(tenant)).isEmpty();
        assertThat(TestStack.get().pendingMultipartUploads()).isEmpty();

        // The refused request did not take the key: the right bytes under it are a first request.
        HttpResponse<String> created = send(upload(HELLO).header("Content-Digest", DeclaredDigests.contentDigestValue(HELLO)).header("Idempotency-Key", key).build());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(json(created).get("sha256").asText()).isEqualTo(sha256(HELLO));
        assertThat(json(send(chunkedUpload(large).header("Content-Digest", DeclaredDigests.contentDigestValue(large)).build())).get("sha256").asText())
                .isEqualTo(sha256(large));

        assertError(send(upload(HELLO).header("Content-Digest", "sha-256=" + DeclaredDigests.base64Sha256(HELLO)).build()), 400, "not a valid RFC 9530 field");
        assertError(send(upload(HELLO).header("x-amz-checksum-sha256", "AAAA").build()), 400, "declares a SHA-256 of 3 bytes");
    }

    @Test
    void aRetriedAnnouncementWithTheSameFieldsReplaysTheTicket()
            throws Exception
    {
        String body = announcement("scan.pdf", HELLO.length, sha256(HELLO));
        HttpResponse<String> first = send(announce(body).header("Idempotency-Key", key).build());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);

        HttpResponse<String> retry = send(announceChunked(body).header("Idempotency-Key", key).build());
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(json(retry).get("uploadId")).isEqualTo(json(first).get("uploadId"));
        assertThat(pendingUploadCount()).isEqualTo(1);
    }

    @Test
    void anAnnouncementOfOtherBytesOfTheSameLengthIs422()
            throws Exception
    {
        assertThat(send(announce(announcement("scan.pdf", HELLO.length, sha256(HELLO))).header("Idempotency-Key", key).build()).statusCode()).isEqualTo(201);

        String other = announcement("scan.pdf", OTHER.length, sha256(OTHER));
        assertError(send(announce(other).header("Idempotency-Key", key).build()), 422, "was used for a request with other parameters");
        assertError(send(announceChunked(other).header("Idempotency-Key", key).build()), 422, "was used for a request with other parameters");
        assertError(send(announce("{\"filename\":\"scan.pdf\",\"contentType\":\"application/pdf\",\"size\":5}").header("Idempotency-Key", key).build()), 422,
                "was used for a request with other parameters");
        assertThat(pendingUploadCount()).isEqualTo(1);
        assertThat(assetCount()).isZero();
    }

    @Test
    void anUploadThatDisagreesWithTheAnnouncedChecksumIs400AndLeavesNothing()
            throws Exception
    {
        JsonNode ticket = json(send(announce(announcement("scan.pdf", HELLO.length, sha256(HELLO))).header("Idempotency-Key", key).build()));
        String uploadId = ticket.get("uploadId").asText();

        assertThat(send(DepotClient.presignedPut(ticket, OTHER).build()).statusCode()).isEqualTo(200);
        assertError(client.complete(uploadId), 400, "the uploaded object's SHA-256 is " + sha256(OTHER) + " but " + sha256(HELLO) + " was announced; it was removed");
        assertThat(TestStack.get().objectFiles(tenant)).isEmpty();
        assertThat(assetCount()).isZero();

        // The ticket stays valid until it expires: the announced bytes complete it.
        assertThat(send(DepotClient.presignedPut(ticket, HELLO).build()).statusCode()).isEqualTo(200);
        HttpResponse<String> completed = client.complete(uploadId);
        assertThat(completed.statusCode()).as(completed.body()).isEqualTo(201);
        assertThat(json(completed).get("sha256").asText()).isEqualTo(sha256(HELLO));

        assertError(send(announce(announcement("a.bin", 5, "abc")).build()), 400, "sha256 must be");
    }

    private HttpRequest.Builder upload(byte[] content)
    {
        return upload("hello.txt", "text/plain", content);
    }

    private HttpRequest.Builder upload(String filename, String contentType, byte[] content)
    {
        return authorized("/api/v1/assets?filename=" + filename).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(content));
    }

    // An input-stream publisher has no known length, so the client sends the body chunked.
    private HttpRequest.Builder chunkedUpload(byte[] content)
    {
        return authorized("/api/v1/assets?filename=hello.txt").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(content)));
    }

    private String postAnnouncingMoreThanItSends(String digestHeader)
            throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", APP.getLocalPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/assets?filename=hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: " + 10 * 1024 * 1024 + "\r\nIdempotency-Key: " + key + "\r\n" + digestHeader + "\r\n\r\nhello")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return readResponse(socket.getInputStream());
        }
    }

    // Reads one response: its head, then as many body bytes as its Content-Length says.
    private static String readResponse(InputStream in)
            throws IOException
    {
        java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        while (true) {
            String text = received.toString(StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd >= 0) {
                java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)\r\nContent-Length: (\\d+)").matcher(text.substring(0, headEnd));
                if (!length.find() || received.size() >= headEnd + 4 + Integer.parseInt(length.group(1))) {
                    return text;
                }
            }
            int read = in.read(buffer);
            if (read < 0) {
                return text;
            }
            received.write(buffer, 0, read);
        }
    }

    private static String announcement(String filename, long size, String sha256)
    {
        return "{\"filename\":\"%s\",\"contentType\":\"application/pdf\",\"size\":%d,\"sha256\":\"%s\"}".formatted(filename, size, sha256);
    }

    private HttpRequest.Builder announce(String body)
    {
        return client.announcement(body);
    }

    private HttpRequest.Builder announceChunked(String body)
    {
        return authorized("/api/v1/uploads").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))));
    }

    private HttpRequest.Builder authorized(String path)
    {
        return client.authorized(path);
    }

    private long assetCount()
            throws Exception
    {
        return count("SELECT count(*) FROM assets WHERE tenant = ?");
    }

    private long pendingUploadCount()
            throws Exception
    {
        return count("SELECT count(*) FROM uploads WHERE tenant = ?");
    }

    private long count(String query)
            throws Exception
    {
        try (Connection connection = TestStack.get().connect(); PreparedStatement statement = connection.prepareStatement(query)) {
            statement.setString(1, tenant);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    /** The headers a client sends to declare a body's SHA-256. */
    private static final class DeclaredDigests
    {
        static String base64Sha256(byte[] content)
                throws Exception
        {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(content));
        }

        static String contentDigestValue(byte[] content)
                throws Exception
        {
            return "sha-256=:" + base64Sha256(content) + ":";
        }

        static String contentDigest(byte[] content)
                throws Exception
        {
            return "Content-Digest: " + contentDigestValue(content);
        }
    }
}
