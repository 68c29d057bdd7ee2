package io.depot;

import com.fasterxml.jackson.databind.JsonNode;
import io.depot.testing.Contents;
import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.depot.testing.TestStack;
import io.depot.testing.Wait;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.depot.testing.DepotClient.assertError;
import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static io.depot.testing.DepotClient.sendHead;
import static io.depot.testing.DepotServer.uri;
import static org.assertj.core.api.Assertions.assertThat;

/** The API as a client sees it, against the real application, PostgreSQL, Redis and S3Proxy. */
@ExtendWith(DropwizardExtensionsSupport.class)
class AssetsApiTest
{
    // A small limit so that 413 is cheap to provoke; large uploads have a test of their own.
    private static final int UPLOAD_LIMIT = 20 * 1024 * 1024;

    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of("limits.uploadLimit", UPLOAD_LIMIT + "B"));

    private final String tenant = DepotServer.newTenant();
    private final DepotClient client = new DepotClient(APP, DepotServer.createToken(tenant));

    @Test
    void uploadStoresTheBytesAndDescribesThem()
            throws Exception
    {
        byte[] content = Contents.random(3 * 1024 * 1024 + 17);
        HttpResponse<String> created = client.upload("photo.png", "image/png", content);

        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode asset = json(created);
        assertThat(asset.get("filename").asText()).isEqualTo("photo.png");
        assertThat(asset.get("contentType").asText()).isEqualTo("image/png");
        assertThat(asset.get("size").asLong()).isEqualTo(content.length);
        assertThat(asset.get("sha256").asText()).isEqualTo(Contents.sha256(content));
        assertThat(asset.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(created.headers().firstValue("Location")).hasValue(uri(APP, "/api/v1/assets/" + asset.get("id").asText()).toString());
        assertThat(created.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void aMultipartSizedUploadIsStoredWhole()
            throws Exception
    {
        // Larger than two 8 MiB parts: exercises the multipart path.
        byte[] content = Contents.random(17 * 1024 * 1024 + 5);
        JsonNode asset = json(client.upload("big.bin", "application/octet-stream", content));
        assertThat(asset.get("sha256").asText()).isEqualTo(Contents.sha256(content));
        assertThat(client.download(asset.get("id").asText())).isEqualTo(content);
    }

    @Test
    void getReturnsTheAssetWithAnEntityTagAndHonoursIfNoneMatch()
            throws Exception
    {
        String id = json(client.upload("a.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8))).get("id").asText();

        HttpResponse<String> first = client.get("/api/v1/assets/" + id);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(json(first).get("id").asText()).isEqualTo(id);
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> cached = client.get("/api/v1/assets/" + id);
        assertThat(cached.headers().firstValue("ETag")).hasValue(etag);
        assertThat(cached.body()).isEqualTo(first.body());

        HttpResponse<String> notModified = send(client.authorized("/api/v1/assets/" + id).header("If-None-Match", etag).build());
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();

        HttpResponse<String> changed = send(client.authorized("/api/v1/assets/" + id).header("If-None-Match", "\"other\"").build());
        assertThat(changed.statusCode()).isEqualTo(200);
    }

    @Test
    void contentRedirectsToAPresignedUrlServingTheExactBytes()
            throws Exception
    {
        byte[] content = Contents.random(100_000);
        String id = json(client.upload("résumé \"final\".pdf", "application/pdf", content)).get("id").asText();

        HttpResponse<String> redirect = client.get("/api/v1/assets/" + id + "/content");
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("Cache-Control")).hasValueSatisfying(value -> assertThat(value).contains("no-store"));
        URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
        assertThat(location.getQuery()).contains("X-Amz-Expires=300");

        HttpResponse<byte[]> bytes = DepotClient.HTTP.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.ofByteArray());
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
            uploaded.add(0, json(client.upload("file-" + index + ".txt", "text/plain", new byte[] {(byte) index})).get("id").asText());
        }
        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> page = client.get("/api/v1/assets?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
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
        String id = json(client.upload("gone.txt", "text/plain", "bye".getBytes(StandardCharsets.UTF_8))).get("id").asText();
        assertThat(client.get("/api/v1/assets/" + id).statusCode()).isEqualTo(200); // now cached
        Path object = TestStack.get().bucketDirectory().resolve("tenants/" + tenant + "/assets/" + id);
        assertThat(object).exists();

        assertThat(send(client.authorized("/api/v1/assets/" + id).DELETE().build()).statusCode()).isEqualTo(204);

        assertThat(client.get("/api/v1/assets/" + id).statusCode()).isEqualTo(404);
        assertThat(client.get("/api/v1/assets/" + id + "/content").statusCode()).isEqualTo(404);
        assertThat(object).doesNotExist();
        assertThat(send(client.authorized("/api/v1/assets/" + id).DELETE().build()).statusCode()).isEqualTo(404);
    }

    @Test
    void anotherTenantsAssetIsIndistinguishableFromAMissingOne()
            throws Exception
    {
        String id = json(client.upload("secret.txt", "text/plain", "mine".getBytes(StandardCharsets.UTF_8))).get("id").asText();
        DepotClient intruder = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));

        HttpResponse<String> foreign = intruder.get("/api/v1/assets/" + id);
        HttpResponse<String> missing = intruder.get("/api/v1/assets/" + UUID.randomUUID());
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(json(foreign).get("message").asText()).isEqualTo("no asset " + id);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(intruder.get("/api/v1/assets/" + id + "/content").statusCode()).isEqualTo(404);
        assertThat(send(intruder.authorized("/api/v1/assets/" + id).DELETE().build()).statusCode()).isEqualTo(404);
        assertThat(json(intruder.get("/api/v1/assets")).get("items")).isEmpty();
        assertThat(client.get("/api/v1/assets/" + id).statusCode()).isEqualTo(200);
    }

    @Test
    void idempotencyKeyReplaysTheFirstResponse()
            throws Exception
    {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> first = send(client.uploadRequest("once.txt", "text/plain", "x".getBytes(StandardCharsets.UTF_8)).header("Idempotency-Key", key).build());
        HttpResponse<String> retry = send(client.uploadRequest("once.txt", "text/plain", "x".getBytes(StandardCharsets.UTF_8)).header("Idempotency-Key", key).build());

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(json(retry).get("id")).isEqualTo(json(first).get("id"));
        assertThat(retry.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(json(client.get("/api/v1/assets")).get("items")).hasSize(1);

        HttpResponse<String> different = send(client.uploadRequest("other.txt", "text/plain", "y".getBytes(StandardCharsets.UTF_8)).header("Idempotency-Key", key).build());
        assertThat(different.statusCode()).isEqualTo(422);

        // The same key from another tenant is a different key.
        DepotClient otherTenant = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));
        HttpResponse<String> otherTenantUpload = send(otherTenant.uploadRequest("once.txt", "text/plain", "x".getBytes(StandardCharsets.UTF_8)).header("Idempotency-Key", key).build());
        assertThat(otherTenantUpload.statusCode()).isEqualTo(201);
        assertThat(json(otherTenantUpload).get("id")).isNotEqualTo(json(first).get("id"));

        assertThat(send(client.uploadRequest("k.txt", "text/plain", new byte[1]).header("Idempotency-Key", "has space").build()).statusCode()).isEqualTo(400);
    }

    @Test
    void oversizedUploadsAre413AndLeaveNothingBehind()
            throws Exception
    {
        byte[] content = Contents.random(UPLOAD_LIMIT + 1);
        // Declared length: refused before a byte is read, so no byte is sent.
        HttpResponse<String> declared = sendHead(client.uploadRequest("huge.bin", "application/octet-stream", content).build());
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(json(declared).get("message").asText()).contains("upload limit of " + UPLOAD_LIMIT + " bytes");

        // Chunked, no length: noticed while streaming, after parts went to S3; the multipart upload is aborted.
        HttpResponse<String> streamed = send(client.authorized("/api/v1/assets?filename=huge.bin").header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(content))).build());
        assertThat(streamed.statusCode()).isEqualTo(413);

        assertThat(json(client.get("/api/v1/assets")).get("items")).isEmpty();
        assertThat(TestStack.get().objectFiles(tenant)).isEmpty();
        assertThat(TestStack.get().pendingMultipartUploads()).isEmpty();
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
        assertThat(new DepotClient(APP, "dpt_" + "A".repeat(43)).get("/api/v1/assets").statusCode()).isEqualTo(401);
        assertThat(new DepotClient(APP, "garbage").get("/api/v1/assets").statusCode()).isEqualTo(401);

        TestStack.get().execute("UPDATE api_tokens SET revoked_at = now() WHERE tenant = '" + tenant + "'");
        // Refused within the revocation bound (auth.tokenCacheTtl), TokenCacheTest times it.
        HttpResponse<String> revoked = Wait.forValue("the revoked token refused", Duration.ofSeconds(10),
                () -> Optional.of(client.get("/api/v1/assets")).filter(answer -> answer.statusCode() != 200), () -> "still served");
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(json(revoked).get("message").asText()).contains("revoked");
    }

    @Test
    void anUnknownTokenCostsOneDatabaseLookupPerTtl()
    {
        DepotClient stranger = new DepotClient(APP, "dpt_" + "u".repeat(42) + Long.toString(System.nanoTime() % 10));
        long before = APP.getEnvironment().metrics().counter("depot.auth.lookups").getCount();
        for (int request = 0; request < 20; request++) {
            assertError(stranger.get("/api/v1/assets"), 401, "not valid or has been revoked");
        }
        assertThat(APP.getEnvironment().metrics().counter("depot.auth.lookups").getCount() - before).isEqualTo(1);
    }

    @Test
    void malformedInputIsAPrecise4xxNeverA500()
            throws Exception
    {
        assertError(client.get("/api/v1/assets/not-a-uuid"), 400, "asset id must be a UUID");
        assertError(client.get("/api/v1/assets/not-a-uuid/content"), 400, "asset id must be a UUID");
        assertError(client.get("/api/v1/assets?limit=0"), 400, "limit must be a whole number from 1 to 200");
        assertError(client.get("/api/v1/assets?limit=abc"), 400, "limit must be");
        assertError(client.get("/api/v1/assets?cursor=%21%21"), 400, "cursor is not one this API returned");
        assertError(send(client.uploadRequest("a%2Fb.txt", "text/plain", new byte[1]).build()), 400, "path separator");
        assertError(send(client.uploadRequest("a%00b.txt", "text/plain", new byte[1]).build()), 400, "control characters");
        assertError(send(client.uploadRequest("x".repeat(256), "text/plain", new byte[1]).build()), 400, "longer than 255 bytes");
        assertError(send(client.authorized("/api/v1/assets").header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("x")).build()), 400,
                "filename is required");
        assertError(send(client.uploadRequest("a.txt", "multipart/form-data; boundary=zz", new byte[1]).build()), 415, "multipart/form-data is not accepted");
        assertError(send(client.authorized("/api/v1/uploads").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{not json")).build()),
                400, "Unable to process JSON");
        assertError(send(client.authorized("/api/v1/uploads").header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{}")).build()),
                415, "application/json");
        assertError(send(client.authorized("/api/v1/uploads").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"filename\":\"a\"}")).build()),
                415, "Content-Type is required");
        assertError(send(client.authorized("/api/v1/uploads").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"filename\":\"a\",\"contentType\":\"text/plain\",\"size\":-1}")).build()), 400, "size must be");
        assertError(send(client.authorized("/api/v1/uploads/xyz/complete").POST(HttpRequest.BodyPublishers.noBody()).build()), 400, "upload id must be a UUID");
        assertThat(client.get("/api/v1/nothing-here").statusCode()).isEqualTo(404);
        assertThat(TestStack.get().objectFiles(tenant)).isEmpty();
    }

    @Test
    void forwardedHeadersAndRequestIdsAreHonoured()
    {
        HttpResponse<String> offered = send(client.authorized("/api/v1/assets").header("X-Request-Id", "abc-123-def-456").build());
        assertThat(offered.headers().firstValue("X-Request-Id")).hasValue("abc-123-def-456");
        HttpResponse<String> malformed = send(client.authorized("/api/v1/assets").header("X-Request-Id", "bad id!").build());
        assertThat(malformed.headers().firstValue("X-Request-Id")).hasValueSatisfying(value -> assertThat(value).isNotEqualTo("bad id!").hasSize(36));

        HttpResponse<String> created = send(client.uploadRequest("f.txt", "text/plain", new byte[1]).header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "media.example.com").build());
        assertThat(created.headers().firstValue("Location")).hasValueSatisfying(location -> assertThat(location).startsWith("https://media.example.com/api/v1/assets/"));
    }
}
