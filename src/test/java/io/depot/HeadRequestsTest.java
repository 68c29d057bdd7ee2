package io.depot;

import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static org.assertj.core.api.Assertions.assertThat;

/** HEAD answers with GET's status and headers and no body; a Content-Length it sends is the length GET's body has. */
@ExtendWith(DropwizardExtensionsSupport.class)
class HeadRequestsTest
{
    private static final List<String> SAME = List.of("content-type", "etag", "cache-control", "allow");

    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of());

    private final DepotClient client = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));

    @Test
    void headAgreesWithGetOnEveryRoute()
    {
        String id = null;
        // A page over 8 KiB, which Jersey streams without a length.
        for (int asset = 0; asset < 40; asset++) {
            id = json(client.upload("h".repeat(200) + asset + ".txt", "text/plain", "head".getBytes(StandardCharsets.UTF_8))).get("id").asText();
        }
        for (String path : List.of("/api/v1/assets?limit=40", "/api/v1/assets?limit=2", "/api/v1/assets/" + id, "/api/v1/assets/" + id + "/content",
                "/api/v1/assets/00000000-0000-0000-0000-000000000000", "/api/v1/assets/nope", "/api/v1/assets?limit=0",
                "/api/v1/openapi.json")) {
            HttpResponse<String> get = client.get(path);
            HttpResponse<String> head = send(client.authorized(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
            assertThat(head.statusCode()).as(path).isEqualTo(get.statusCode());
            assertThat(head.body()).as(path).isEmpty();
            for (String name : SAME) {
                assertThat(head.headers().firstValue(name)).as(path + " " + name).isEqualTo(get.headers().firstValue(name));
            }
            assertThat(head.headers().firstValue("Location").isPresent()).as(path).isEqualTo(get.headers().firstValue("Location").isPresent());
            Optional<String> length = head.headers().firstValue("Content-Length");
            length.ifPresent(value -> assertThat(Long.parseLong(value)).as(path + " Content-Length").isEqualTo(get.body().getBytes(StandardCharsets.UTF_8).length));
        }
    }
}
