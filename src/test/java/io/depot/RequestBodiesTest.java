package io.depot;

import io.depot.testing.Contents;
import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static io.depot.testing.DepotClient.assertError;
import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static org.assertj.core.api.Assertions.assertThat;

/** Request bodies: gzip is decoded, other content codings are 415, a body that does not decode is 400; JSON fields have strict types. */
@ExtendWith(DropwizardExtensionsSupport.class)
class RequestBodiesTest
{
    private static final String ANNOUNCEMENT = "{\"filename\":\"a.bin\",\"contentType\":\"application/octet-stream\",\"size\":3}";

    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of());

    private final String tenant = DepotServer.newTenant();
    private final DepotClient client = new DepotClient(APP, DepotServer.createToken(tenant));

    @Test
    void aGzipBodyIsDecoded()
    {
        byte[] content = Contents.random(100_000);
        HttpResponse<String> created = send(client.uploadRequest("z.bin", "application/octet-stream", gzip(content)).header("Content-Encoding", "gzip").build());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).get("sha256").asText()).isEqualTo(Contents.sha256(content));
        assertThat(client.download(json(created).get("id").asText())).isEqualTo(content);

        HttpResponse<String> announced = send(client.announcement("").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(ANNOUNCEMENT.getBytes(StandardCharsets.UTF_8)))).build());
        assertThat(announced.statusCode()).as(announced.body()).isEqualTo(201);
    }

    @Test
    void aBodyThatDoesNotDecodeIs400AndStoresNothing()
    {
        byte[] plain = "this is not gzip".getBytes(StandardCharsets.UTF_8);
        for (String key : new String[] {null, "undecodable-1"}) {
            HttpRequest.Builder upload = client.uploadRequest("bad.bin", "application/octet-stream", plain).header("Content-Encoding", "gzip");
            if (key != null) {
                upload.header("Idempotency-Key", key);
            }
            assertError(send(upload.build()), 400, "gzip");
        }
        byte[] truncated = java.util.Arrays.copyOf(gzip(Contents.random(50_000)), 20_000);
        assertError(send(client.uploadRequest("cut.bin", "application/octet-stream", truncated).header("Content-Encoding", "gzip").build()), 400, "");
        assertError(send(client.announcement("").header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofString(ANNOUNCEMENT)).build()), 400, "gzip");
        assertThat(json(client.get("/api/v1/assets")).get("items")).isEmpty();
    }

    @Test
    void aContentCodingDepotDoesNotDecodeIs415()
    {
        for (String coding : List.of("br", "deflate", "compress", "x-custom", "gzip, br")) {
            HttpResponse<String> upload = send(client.uploadRequest("e.bin", "application/octet-stream", new byte[] {1, 2, 3}).header("Content-Encoding", coding).build());
            assertError(upload, 415, "Content-Encoding");
            assertThat(upload.headers().firstValue("Accept-Encoding")).as(coding).hasValue("gzip");
            assertError(send(client.announcement(ANNOUNCEMENT).header("Content-Encoding", coding).build()), 415, "Content-Encoding");
        }
        assertThat(json(client.get("/api/v1/assets")).get("items")).isEmpty();
        HttpResponse<String> identity = send(client.uploadRequest("i.bin", "application/octet-stream", new byte[] {1}).header("Content-Encoding", "identity").build());
        assertThat(identity.statusCode()).as(identity.body()).isEqualTo(201);
    }

    @Test
    void announcementFieldsHaveStrictTypes()
    {
        assertError(announce("{\"filename\":\"a.bin\",\"contentType\":\"application/octet-stream\",\"size\":1.9}"), 400, "size must be a JSON integer");
        assertError(announce("{\"filename\":\"a.bin\",\"contentType\":\"application/octet-stream\",\"size\":\"5\"}"), 400, "size must be a JSON integer");
        assertError(announce("{\"filename\":\"a.bin\",\"contentType\":\"application/octet-stream\",\"size\":true}"), 400, "size must be a JSON integer");
        assertError(announce("{\"filename\":5,\"contentType\":\"application/octet-stream\",\"size\":5}"), 400, "filename must be a JSON string");
        assertError(announce("{\"filename\":\"a.bin\",\"contentType\":1.5,\"size\":5}"), 400, "contentType must be a JSON string");
        assertError(announce("{\"filename\":\"a.bin\",\"contentType\":\"application/octet-stream\",\"size\":5,\"sha256\":7}"), 400, "sha256 must be a JSON string");
        assertError(announce("{\"filename\":[\"a\"],\"contentType\":\"application/octet-stream\",\"size\":5}"), 400, "filename must be a JSON string");
        assertError(announce("{\"filename\":\"a.bin\",\"contentType\":\"application/octet-stream\",\"size\":99999999999999999999}"), 400, "");
        assertThat(announce("{\"filename\":\"a.bin\",\"contentType\":\"application/octet-stream\",\"size\":5.0e0}").statusCode()).as("5.0e0 is not an integer")
                .isEqualTo(400);
        HttpResponse<String> valid = announce("{\"filename\":\"a.bin\",\"contentType\":\"application/octet-stream\",\"size\":5}");
        assertThat(valid.statusCode()).as(valid.body()).isEqualTo(201);
    }

    @Test
    void aFieldGivenTwiceIs400NamingIt()
    {
        // null, then a value: Jackson could not build the record, a 500.
        assertError(announce("{\"filename\":null,\"filename\":\"a.bin\",\"contentType\":\"application/octet-stream\",\"size\":5}"), 400,
                "the JSON object gives filename twice");
        // Two values: the last one was taken without a word.
        assertError(announce("{\"filename\":\"a.bin\",\"contentType\":\"application/octet-stream\",\"size\":5,\"size\":6}"), 400,
                "the JSON object gives size twice");
    }

    private HttpResponse<String> announce(String body)
    {
        return send(client.announcement(body).build());
    }

    private static byte[] gzip(byte[] content)
    {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(compressed)) {
            out.write(content);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return compressed.toByteArray();
    }
}
