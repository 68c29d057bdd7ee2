package io.depot;

import com.fasterxml.jackson.databind.JsonNode;
import io.depot.core.AssetService;
import io.depot.storage.ObjectStore;
import io.depot.testing.Contents;
import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.depot.testing.TestStack;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.depot.testing.DepotClient.assertError;
import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static org.assertj.core.api.Assertions.assertThat;

/** Direct-to-S3 uploads: a presigned PUT the client sends to S3Proxy itself, then /complete. */
@ExtendWith(DropwizardExtensionsSupport.class)
class UploadsApiTest
{
    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of("limits.uploadLimit", "1MiB"));

    private final String tenant = DepotServer.newTenant();
    private final DepotClient client = new DepotClient(APP, DepotServer.createToken(tenant));

    @Test
    void presignedPutThenCompleteCreatesTheAsset()
            throws Exception
    {
        byte[] content = Contents.random(200_000);
        JsonNode ticket = announce("scan.pdf", "application/pdf", content.length);
        assertThat(ticket.get("method").asText()).isEqualTo("PUT");
        assertThat(Instant.parse(ticket.get("expiresAt").asText())).isBetween(Instant.now().plusSeconds(250), Instant.now().plusSeconds(301));

        assertThat(send(DepotClient.presignedPut(ticket, content).build()).statusCode()).isEqualTo(200);
        HttpResponse<String> completed = client.complete(ticket.get("uploadId").asText());

        assertThat(completed.statusCode()).isEqualTo(201);
        JsonNode asset = json(completed);
        assertThat(asset.get("id").asText()).isEqualTo(ticket.get("uploadId").asText());
        assertThat(asset.get("size").asLong()).isEqualTo(content.length);
        assertThat(asset.get("sha256").asText()).isEqualTo(Contents.sha256(content));
        assertThat(asset.get("contentType").asText()).isEqualTo("application/pdf");
        assertThat(send(client.authorized("/api/v1/assets/" + asset.get("id").asText()).build()).statusCode()).isEqualTo(200);

        // Completing twice is harmless: the asset comes back, no second one is made.
        assertThat(json(client.complete(ticket.get("uploadId").asText())).get("id")).isEqualTo(asset.get("id"));
        assertThat(json(send(client.authorized("/api/v1/assets").build())).get("items")).hasSize(1);
    }

    @Test
    void completeRefusesMissingAndMisSizedObjects()
            throws Exception
    {
        JsonNode ticket = announce("a.bin", "application/octet-stream", 10);
        String uploadId = ticket.get("uploadId").asText();
        assertError(client.complete(uploadId), 409, "nothing has been uploaded");

        // A client that writes the wrong number of bytes (here straight through the S3 API).
        String key = AssetService.objectKey(tenant, UUID.fromString(uploadId));
        try (ObjectStore objects = new ObjectStore(APP.getConfiguration().getStorage())) {
            objects.putSmall(key, Contents.random(7));
            assertError(client.complete(uploadId), 409, "the uploaded object has 7 bytes but 10 were announced");
            assertThat(objects.size(key)).isEmpty();
        }
        assertThat(json(send(client.authorized("/api/v1/assets").build())).get("items")).isEmpty();

        assertError(client.complete(UUID.randomUUID().toString()), 404, "no upload");
        DepotClient otherTenant = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));
        HttpResponse<String> foreign = send(otherTenant.authorized("/api/v1/uploads/" + uploadId + "/complete").POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(foreign.statusCode()).isEqualTo(404);
    }

    @Test
    void aCompleteWhileAnotherHoldsTheTicketIs409AndConcurrentOnesMakeOneAsset()
            throws Exception
    {
        byte[] content = Contents.random(50_000);
        JsonNode ticket = announce("race.bin", "application/octet-stream", content.length);
        String uploadId = ticket.get("uploadId").asText();
        assertThat(send(DepotClient.presignedPut(ticket, content).build()).statusCode()).isEqualTo(200);

        // Another /complete holds the ticket (as one does while it reads the object).
        TestStack.get().execute("UPDATE uploads SET claimed_until = now() + interval '1 minute' WHERE id = '" + uploadId + "'");
        assertError(client.complete(uploadId), 409, "another /complete of upload " + uploadId + " is in progress");
        // A holder that died: its claim lapses.
        TestStack.get().execute("UPDATE uploads SET claimed_until = now() - interval '1 second' WHERE id = '" + uploadId + "'");

        List<HttpResponse<String>> answers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int request = 0; request < 6; request++) {
                futures.add(pool.submit(() -> client.complete(uploadId)));
            }
            for (Future<HttpResponse<String>> future : futures) {
                answers.add(future.get(60, TimeUnit.SECONDS));
            }
        }
        finally {
            pool.shutdownNow();
        }
        assertThat(answers).allSatisfy(answer -> {
            if (answer.statusCode() == 201) {
                assertThat(json(answer).get("id").asText()).isEqualTo(uploadId);
            }
            else {
                assertError(answer, 409, "is in progress");
            }
        });
        assertThat(answers).anySatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(201));
        assertThat(json(send(client.authorized("/api/v1/assets").build())).get("items")).hasSize(1);
    }

    @Test
    void aCompleteAfterTheTicketExpiredIs410EvenWithTheObjectUploaded()
            throws Exception
    {
        byte[] content = Contents.random(1_000);
        JsonNode ticket = announce("late.bin", "application/octet-stream", content.length);
        String uploadId = ticket.get("uploadId").asText();
        assertThat(send(DepotClient.presignedPut(ticket, content).build()).statusCode()).isEqualTo(200);
        TestStack.get().execute("UPDATE uploads SET expires_at = now() - interval '1 second' WHERE id = '" + uploadId + "'");

        assertError(client.complete(uploadId), 410, "expired");
        assertError(client.complete(uploadId), 410, "expired");
        assertThat(json(send(client.authorized("/api/v1/assets").build())).get("items")).isEmpty();
    }

    @Test
    void announcementsAreValidated()
            throws Exception
    {
        assertError(announceRaw("{\"filename\":\"big.bin\",\"contentType\":\"application/octet-stream\",\"size\":1048577}"), 413, "upload limit");
        assertError(announceRaw("{\"filename\":\"../x\",\"contentType\":\"text/plain\",\"size\":1}"), 400, "path separator");
        assertError(announceRaw("{\"filename\":\"x\",\"contentType\":\"text/plain\"}"), 400, "size must be");
        assertError(announceRaw(""), 400, "JSON body");
        assertError(announceRaw("[1,2]"), 400, "Unable to process JSON");
    }

    @Test
    void idempotentAnnouncementReturnsTheSameTicket()
            throws Exception
    {
        String body = "{\"filename\":\"once.bin\",\"contentType\":\"application/octet-stream\",\"size\":3}";
        HttpRequest request = client.authorized("/api/v1/uploads").header("Content-Type", "application/json").header("Idempotency-Key", "announce-1")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        JsonNode first = json(send(request));
        HttpResponse<String> retry = send(request);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(json(retry).get("uploadId")).isEqualTo(first.get("uploadId"));
    }

    private JsonNode announce(String filename, String contentType, long size)
            throws Exception
    {
        HttpResponse<String> response = announceRaw("{\"filename\":\"%s\",\"contentType\":\"%s\",\"size\":%d}".formatted(filename, contentType, size));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(location -> assertThat(location).endsWith("/complete"));
        return json(response);
    }

    private HttpResponse<String> announceRaw(String body)
    {
        return send(client.announcement(body).build());
    }
}
