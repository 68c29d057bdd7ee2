package io.depot;

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

import static io.depot.testing.DepotClient.assertError;
import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static io.depot.testing.DepotClient.servedType;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /content honours Accept: the asset's type, its wildcards and application/octet-stream are served, anything else is a JSON 406. */
@ExtendWith(DropwizardExtensionsSupport.class)
class ContentNegotiationTest
{
    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of());

    private final DepotClient client = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));

    @Test
    void theAssetsTypeAndItsWildcardsAreServedAsIt()
    {
        String id = upload("image/png");
        for (String accept : List.of("image/png", "image/*", "*/*", "IMAGE/PNG", "text/html, image/png;q=0.5", "image/*;q=0.1, image/jpeg",
                "image/png; q=1.0", "application/json, */*;q=0.8")) {
            assertThat(servedType(content(id, accept))).as(accept).isEqualTo("image/png");
        }
        assertThat(servedType(send(client.authorized("/api/v1/assets/" + id + "/content").build()))).as("no Accept").isEqualTo("image/png");
    }

    @Test
    void octetStreamServesAnyAssetAsBytes()
    {
        String id = upload("image/png");
        assertThat(servedType(content(id, "application/octet-stream"))).isEqualTo("application/octet-stream");
        assertThat(servedType(content(id, "image/png;q=0, application/octet-stream"))).isEqualTo("application/octet-stream");
        assertThat(servedType(content(id, "image/*;q=0, */*"))).isEqualTo("application/octet-stream");
    }

    @Test
    void parametersOfTheTypeTakePartInTheMatch()
    {
        String id = upload("text/plain; charset=utf-8");
        assertThat(servedType(content(id, "text/plain;charset=UTF-8"))).isEqualTo("text/plain; charset=utf-8");
        assertThat(servedType(content(id, "text/plain"))).isEqualTo("text/plain; charset=utf-8");
        assertError(content(id, "text/plain;charset=iso-8859-1"), 406, "served as text/plain; charset=utf-8");
    }

    @Test
    void nothingAcceptableIsAJson406()
    {
        String id = upload("image/png");
        for (String accept : List.of("text/plain", "image/jpeg", "application/json", "image/png;q=0", "image/*;q=0, application/json", "*/*;q=0")) {
            HttpResponse<String> refused = content(id, accept);
            assertError(refused, 406, "served as image/png; send an Accept header that allows it, image/*, */* or application/octet-stream");
            assertThat(refused.headers().firstValue("Content-Type")).as(accept).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        }
        // A malformed Accept is a 400 on any route, not Jersey's bare one.
        for (String malformed : List.of("nonsense", "image/png;q=2", "image/png, */png", "text/plain;charset", ";", "image/png, ;;")) {
            assertError(content(id, malformed), 400, "Accept must be a comma-separated list of media ranges");
            assertError(send(client.authorized("/api/v1/assets").header("Accept", malformed).build()), 400, "Accept must be");
        }
        // Errors that come first stay themselves, in JSON.
        assertError(content("00000000-0000-0000-0000-000000000000", "image/png"), 404, "no asset");
        assertError(content("not-a-uuid", "image/png"), 400, "asset id");
    }

    private HttpResponse<String> content(String id, String accept)
    {
        return send(client.authorized("/api/v1/assets/" + id + "/content").header("Accept", accept).build());
    }

    private String upload(String contentType)
    {
        HttpResponse<String> created = client.upload("n.bin", contentType, "negotiated".getBytes(StandardCharsets.UTF_8));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json(created).get("id").asText();
    }
}
