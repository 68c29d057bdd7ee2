package io.depot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.testing.DepotServer;
import io.depot.testing.TestStack;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static io.depot.testing.DepotServer.send;
import static io.depot.testing.DepotServer.uri;
import static org.assertj.core.api.Assertions.assertThat;

/** The API as a client sees it, against the real application, PostgreSQL, Redis and S3Proxy. */
@ExtendWith(DropwizardExtensionsSupport.class)
class AssetsApiTest
{
    // A small limit so that 413 is cheap to provoke; large uploads have a test of their own.
    private static final int UPLOAD_LIMIT = 20 * 1024 * 1024;

    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of("limits.uploadLimit", UPLOAD_LIMIT + "B"));

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String tenant = DepotServer.newTenant();
    private final String token = DepotServer.createToken(tenant);

    @Test
    void uploadStoresTheBytesAndDescribesThem()
            throws Exception
    {
        byte[] content = randomBytes(3 * 1024 * 1024 + 17);
        HttpResponse<String> created = upload(token, "photo.png", "image/png", content);

        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode asset = json(created);
        assertThat(asset.get("filename").asText()).isEqualTo("photo.png");
        assertThat(asset.get("contentType").asText()).isEqualTo("image/png");
        assertThat(asset.get("size").asLong()).isEqualTo(content.length);
        assertThat(asset.get("sha256").asText()).isEqualTo(sha256(content));
        assertThat(asset.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(created.headers().firstValue("Location")).hasValue(uri(APP, "/api/v1/assets/" + asset.get("id").asText()).toString());
        assertThat(created.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void aMultipartSizedUploadIsStoredWhole()
            throws Exception
    {
        // Larger than two 8 MiB parts: exercises the multipart path.
        byte[] content = randomBytes(17 * 1024 * 1024 + 5);
        JsonNode asset = json(upload(token, "big.bin", "application/octet-stream", content));
        assertThat(asset.get("sha256").asText()).isEqualTo(sha256(content));
        assertThat(download(token, asset.get("id").asText())).isEqualTo(content);
    }

    @Test
    void getReturnsTheAssetWithAnEntityTagAndHonoursIfNoneMatch()
            throws Exception
    {
        String id = json(upload(token, "a.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8))).get("id").asText();

        HttpResponse<String> first = get(token, "/api/v1/assets/" + id);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(json(first).get("id").asText()).isEqualTo(id);
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> cached = get(token, "/api/v1/assets/" + id);
        assertThat(cached.headers().firstValue("ETag")).hasValue(etag);
        assertThat(cached.body()).isEqualTo(first.body());

        HttpResponse<String> notModified = send(authorized(token, "/api/v1/assets/" + id).header("If-None-Match", etag).build());
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();

        HttpResponse<String> changed = send(authorized(token, "/api/v1/assets/" + id).header("If-None-Match", "\"other\"").build());
        assertThat(changed.statusCode()).isEqualTo(200);
    }

    @Test
    void contentRedirectsToAPresignedUrlServingTheExactBytes()
            throws Exception
    {
        byte[] content = randomBytes(100_000);
        String id = json(upload(token, "résumé \"final\".pdf", "application/pdf", content)).get("id").asText();

        HttpResponse<String> redirect = get(token, "/api/v1/assets/" + id + "/content");
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("Cache-Control")).hasValueSatisfying(value -> assertThat(value).contains("no-store"));
        URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
        assertThat(location.getQuery()).contains("X-Amz-Expires=300");

        HttpResponse<byte[]> bytes = DepotServer.HTTP.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(bytes.statusCode()).isEqualTo(200);
        assertThat(bytes.body()).isEqualTo(content);
        assertThat(bytes.headers().firstValue("Content-Type")).hasValue("application/pdf");
        assertThat(bytes.headers().firstValue("Content-Disposition")).hasValue(
                "attachment; filename=\"r_sum_ _final_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf");
    }

    @Test
    void listPagesNewestFirstWithAKeysetCursor()
            throws Exception
    {
        List<String> uploaded = new ArrayList<>();
        for (int index = 0; index < 7; index++) {
            uploaded.add(0, json(upload(token, "file-" + index + ".txt", "text/plain", new byte[] {(byte) index})).get("id").asText());
        }
        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> page = get(token, "/api/v1/assets?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.statusCode()).isEqualTo(200);
            JsonNode body = json(page);
            body.get("items").forEach(item -> listed.add(item.get("id").asText()));
            cursor = body.get("nextCursor").isNull() ? null : body.get("nextCursor").asText();
            pages++;
        }
        while (cursor != null);
        assertThat(listed).containsExactlyElementsOf(uploaded);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void deleteRemovesRowObjectAndCacheEntry()
            throws Exception
    {
        String id = json(upload(token, "gone.txt", "text/plain", "bye".getBytes(StandardCharsets.UTF_8))).get("id").asText();
        assertThat(get(token, "/api/v1/assets/" + id).statusCode()).isEqualTo(200); // now cached
        Path object = TestStack.get().bucketDirectory().resolve("tenants/" + tenant + "/assets/" + id);
        assertThat(object).exists();

        assertThat(send(authorized(token, "/api/v1/assets/" + id).DELETE().build()).statusCode()).isEqualTo(204);

        assertThat(get(token, "/api/v1/assets/" + id).statusCode()).isEqualTo(404);
        assertThat(get(token, "/api/v1/assets/" + id + "/content").statusCode()).isEqualTo(404);
        assertThat(object).doesNotExist();
        assertThat(send(authorized(token, "/api/v1/assets/" + id).DELETE().build()).statusCode()).isEqualTo(404);
    }

    @Test
    void anotherTenantsAssetIsIndistinguishableFromAMissingOne()
            throws Exception
    {
        String id = json(upload(token, "secret.txt", "text/plain", "mine".getBytes(StandardCharsets.UTF_8))).get("id").asText();
        String intruder = DepotServer.createToken(DepotServer.newTenant());

        HttpResponse<String> foreign = get(intruder, "/api/v1/assets/" + id);
        HttpResponse<String> missing = get(intruder, "/api/v1/assets/" + UUID.randomUUID());
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(json(foreign).get("message").asText()).isEqualTo("no asset " + id);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(get(intruder, "/api/v1/assets/" + id + "/content").statusCode()).isEqualTo(404);
        assertThat(send(authorized(intruder, "/api/v1/assets/" + id).DELETE().build()).statusCode()).isEqualTo(404);
        assertThat(json(get(intruder, "/api/v1/assets")).get("items")).isEmpty();
        assertThat(get(token, "/api/v1/assets/" + id).statusCode()).isEqualTo(200);
    }

    @Test
    void idempotencyKeyReplaysTheFirstResponse()
            throws Exception
    {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> first = send(uploadRequest(token, "once.txt", "text/plain", "x".getBytes(StandardCharsets.UTF_8)).header("Idempotency-Key", key).build());
        HttpResponse<String> retry = send(uploadRequest(token, "once.txt", "text/plain", "x".getBytes(StandardCharsets.UTF_8)).header("Idempotency-Key", key).build());

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(json(retry).get("id")).isEqualTo(json(first).get("id"));
        assertThat(retry.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(json(get(token, "/api/v1/assets")).get("items")).hasSize(1);

        HttpResponse<String> different = send(uploadRequest(token, "other.txt", "text/plain", "y".getBytes(StandardCharsets.UTF_8)).header("Idempotency-Key", key).build());
        assertThat(different.statusCode()).isEqualTo(422);

        // The same key from another tenant is a different key.
        String otherToken = DepotServer.createToken(DepotServer.newTenant());
        HttpResponse<String> otherTenant = send(uploadRequest(otherToken, "once.txt", "text/plain", "x".getBytes(StandardCharsets.UTF_8)).header("Idempotency-Key", key).build());
        assertThat(otherTenant.statusCode()).isEqualTo(201);
        assertThat(json(otherTenant).get("id")).isNotEqualTo(json(first).get("id"));

        assertThat(send(uploadRequest(token, "k.txt", "text/plain", new byte[1]).header("Idempotency-Key", "has space").build()).statusCode()).isEqualTo(400);
    }

    @Test
    void oversizedUploadsAre413AndLeaveNothingBehind()
            throws Exception
    {
        byte[] content = randomBytes(UPLOAD_LIMIT + 1);
        // Declared length: refused before a byte is read.
        HttpResponse<String> declared = send(uploadRequest(token, "huge.bin", "application/octet-stream", content).build());
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(json(declared).get("message").asText()).contains("upload limit of " + UPLOAD_LIMIT + " bytes");

        // Chunked, no length: noticed while streaming, after parts went to S3; the multipart upload is aborted.
        HttpResponse<String> streamed = send(authorized(token, "/api/v1/assets?filename=huge.bin").header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(content))).build());
        assertThat(streamed.statusCode()).isEqualTo(413);

        assertThat(json(get(token, "/api/v1/assets")).get("items")).isEmpty();
        assertThat(objectsOf(tenant)).isEmpty();
        assertThat(pendingMultipartUploads()).isEmpty();
    }

    @Test
    void authenticationErrorsAre401WithAChallenge()
            throws Exception
    {
        HttpResponse<String> none = send(HttpRequest.newBuilder(uri(APP, "/api/v1/assets")).build());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"depot\"");
        assertThat(json(none).get("message").asText()).isEqualTo("an Authorization: Bearer <token> header is required");

        assertThat(json(send(HttpRequest.newBuilder(uri(APP, "/api/v1/assets")).header("Authorization", "Basic Zm9vOmJhcg==").build())).get("message").asText())
                .isEqualTo("the Authorization header must use the Bearer scheme");
        assertThat(get("dpt_" + "A".repeat(43), "/api/v1/assets").statusCode()).isEqualTo(401);
        assertThat(get("garbage", "/api/v1/assets").statusCode()).isEqualTo(401);

        TestStack.get().execute("UPDATE api_tokens SET revoked_at = now() WHERE tenant = '" + tenant + "'");
        HttpResponse<String> revoked = get(token, "/api/v1/assets");
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(json(revoked).get("message").asText()).contains("revoked");
    }

    @Test
    void malformedInputIsAPrecise4xxNeverA500()
            throws Exception
    {
        assertError(get(token, "/api/v1/assets/not-a-uuid"), 400, "asset id must be a UUID");
        assertError(get(token, "/api/v1/assets/not-a-uuid/content"), 400, "asset id must be a UUID");
        assertError(get(token, "/api/v1/assets?limit=0"), 400, "limit must be a whole number from 1 to 200");
        assertError(get(token, "/api/v1/assets?limit=abc"), 400, "limit must be");
        assertError(get(token, "/api/v1/assets?cursor=%21%21"), 400, "cursor is not one this API returned");
        assertError(send(uploadRequest(token, "a%2Fb.txt", "text/plain", new byte[1]).build()), 400, "path separator");
        assertError(send(uploadRequest(token, "a%00b.txt", "text/plain", new byte[1]).build()), 400, "control characters");
        assertError(send(uploadRequest(token, "x".repeat(256), "text/plain", new byte[1]).build()), 400, "longer than 255 bytes");
        assertError(send(authorized(token, "/api/v1/assets").header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("x")).build()), 400,
                "filename is required");
        assertError(send(uploadRequest(token, "a.txt", "multipart/form-data; boundary=zz", new byte[1]).build()), 415, "multipart/form-data is not accepted");
        assertError(send(authorized(token, "/api/v1/uploads").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{not json")).build()),
                400, "Unable to process JSON");
        assertError(send(authorized(token, "/api/v1/uploads").header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{}")).build()),
                415, "application/json");
        assertError(send(authorized(token, "/api/v1/uploads").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"filename\":\"a\"}")).build()),
                415, "Content-Type is required");
        assertError(send(authorized(token, "/api/v1/uploads").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"filename\":\"a\",\"contentType\":\"text/plain\",\"size\":-1}")).build()), 400, "size must be");
        assertError(send(authorized(token, "/api/v1/uploads/xyz/complete").POST(HttpRequest.BodyPublishers.noBody()).build()), 400, "upload id must be a UUID");
        assertThat(get(token, "/api/v1/nothing-here").statusCode()).isEqualTo(404);
        assertThat(objectsOf(tenant)).isEmpty();
    }

    @Test
    void forwardedHeadersAndRequestIdsAreHonoured()
    {
        HttpResponse<String> offered = send(authorized(token, "/api/v1/assets").header("X-Request-Id", "abc-123-def-456").build());
        assertThat(offered.headers().firstValue("X-Request-Id")).hasValue("abc-123-def-456");
        HttpResponse<String> malformed = send(authorized(token, "/api/v1/assets").header("X-Request-Id", "bad id!").build());
        assertThat(malformed.headers().firstValue("X-Request-Id")).hasValueSatisfying(value -> assertThat(value).isNotEqualTo("bad id!").hasSize(36));

        HttpResponse<String> created = send(uploadRequest(token, "f.txt", "text/plain", new byte[1]).header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "media.example.com").build());
        assertThat(created.headers().firstValue("Location")).hasValueSatisfying(location -> assertThat(location).startsWith("https://media.example.com/api/v1/assets/"));
    }

    static void assertError(HttpResponse<String> response, int status, String message)
            throws IOException
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("code").asInt()).isEqualTo(status);
        assertThat(body.get("message").asText()).contains(message);
    }

    static HttpResponse<String> upload(String token, String filename, String contentType, byte[] content)
    {
        return send(uploadRequest(token, java.net.URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20"), contentType, content).build());
    }

    static HttpRequest.Builder uploadRequest(String token, String encodedFilename, String contentType, byte[] content)
    {
        return authorized(token, "/api/v1/assets?filename=" + encodedFilename)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(content));
    }

    static HttpRequest.Builder authorized(String token, String pathAndQuery)
    {
        return HttpRequest.newBuilder(uri(APP, pathAndQuery)).header("Authorization", "Bearer " + token);
    }

    static HttpResponse<String> get(String token, String pathAndQuery)
    {
        return send(authorized(token, pathAndQuery).build());
    }

    static byte[] download(String token, String id)
            throws Exception
    {
        URI location = URI.create(get(token, "/api/v1/assets/" + id + "/content").headers().firstValue("Location").orElseThrow());
        return DepotServer.HTTP.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    static JsonNode json(HttpResponse<String> response)
            throws IOException
    {
        return JSON.readTree(response.body());
    }

    static byte[] randomBytes(int size)
    {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] content)
            throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    static Set<Path> objectsOf(String tenant)
            throws IOException
    {
        Path directory = TestStack.get().bucketDirectory().resolve("tenants").resolve(tenant);
        if (!Files.exists(directory)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return new HashSet<>(files.filter(Files::isRegularFile).toList());
        }
    }

    /** S3Proxy's filesystem backend keeps parts of unfinished multipart uploads as stub and part files in the bucket. */
    static List<Path> pendingMultipartUploads()
            throws IOException
    {
        try (Stream<Path> files = Files.walk(TestStack.get().bucketDirectory())) {
            return files.filter(Files::isRegularFile).filter(path -> path.getFileName().toString().contains("-stub") || path.toString().contains("multipart")).toList();
        }
    }
}
