package io.depot;

import com.fasterxml.jackson.databind.JsonNode;
import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Content types with parameters are stored and served exactly as sent, on both upload routes;
 * what goes to S3 is signed in one canonical form, so the bucket never refuses it (S3Proxy, like
 * the Jetty it runs on, rewrites well-known Content-Type values, which broke the signature).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class UploadContentTypesTest
{
    private static final List<String> TYPES = List.of("text/plain; charset=utf-8", "text/plain; charset=UTF-8", "text/plain;charset=iso-8859-1",
            "Text/Plain; Charset=UTF-8", "application/json; charset=utf-8", "text/csv; header=present; charset=utf-8", "text/plain ; charset=us-ascii");

    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of());

    private final DepotClient client = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));

    @Test
    void typesWithParametersAreStoredAndServedExactly()
    {
        for (String type : TYPES) {
            byte[] content = ("in " + type).getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> created = client.upload("p.txt", type, content);
            assertThat(created.statusCode()).as(type + ": " + created.body()).isEqualTo(201);
            assertStoredAndServed(json(created).get("id").asText(), type, content);
        }
    }

    @Test
    void directUploadsSignTheTypeTheyTellTheClientToSend()
    {
        for (String type : TYPES) {
            byte[] content = ("direct " + type).getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> announced = send(client.announcement(
                    "{\"filename\":\"d.txt\",\"contentType\":%s,\"size\":%d}".formatted(DepotClient.quote(type), content.length)).build());
            assertThat(announced.statusCode()).as(type + ": " + announced.body()).isEqualTo(201);
            JsonNode ticket = json(announced);
            HttpResponse<String> put = send(DepotClient.presignedPut(ticket, content).build());
            assertThat(put.statusCode()).as(type + ": the bucket took the presigned PUT: " + put.body()).isEqualTo(200);
            HttpResponse<String> completed = client.complete(ticket.get("uploadId").asText());
            assertThat(completed.statusCode()).as(type + ": " + completed.body()).isEqualTo(201);
            assertStoredAndServed(ticket.get("uploadId").asText(), type, content);
        }
    }

    private void assertStoredAndServed(String id, String type, byte[] content)
    {
        assertThat(json(client.get("/api/v1/assets/" + id)).get("contentType").asText()).isEqualTo(type.trim());
        assertThat(DepotClient.servedType(client.get("/api/v1/assets/" + id + "/content"))).isEqualTo(type.trim());
        assertThat(client.download(id)).isEqualTo(content);
    }
}
