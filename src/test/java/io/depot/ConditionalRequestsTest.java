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
import static org.assertj.core.api.Assertions.assertThat;

/** If-Match and If-None-Match on an asset as RFC 9110 §13 has them: evaluated, and never a 5xx however malformed. */
@ExtendWith(DropwizardExtensionsSupport.class)
class ConditionalRequestsTest
{
    private static final List<String> MALFORMED = List.of("abc", "W/abc", ",", "**", "*, \"x\"", "\"open", "\"a\"\"b\"", "W/", "\"a\" b");

    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of());

    private final DepotClient client = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));

    @Test
    void malformedConditionsAre400AndChangeNothing()
    {
        String path = path(upload());
        for (String header : List.of("If-None-Match", "If-Match")) {
            for (String value : MALFORMED) {
                assertError(send(client.authorized(path).header(header, value).build()), 400, header + " must be * or a comma-separated list of entity tags");
                assertError(send(client.authorized(path).header(header, value).DELETE().build()), 400, header + " must be");
            }
        }
        assertThat(client.get(path).statusCode()).isEqualTo(200);
    }

    @Test
    void ifMatchOnDeleteIsEvaluated()
    {
        String path = path(upload());
        String etag = client.get(path).headers().firstValue("ETag").orElseThrow();

        for (String mismatch : List.of("\"nope\"", "W/" + etag, "\"nope\", W/" + etag)) {
            HttpResponse<String> refused = send(client.authorized(path).header("If-Match", mismatch).DELETE().build());
            assertError(refused, 412, "does not satisfy If-Match");
            assertThat(refused.headers().firstValue("ETag")).hasValue(etag);
        }
        assertError(send(client.authorized(path).header("If-None-Match", "*").DELETE().build()), 412, "If-None-Match");
        assertThat(client.get(path).statusCode()).as("still there after every 412").isEqualTo(200);

        assertThat(send(client.authorized(path).header("If-Match", "\"nope\", " + etag).DELETE().build()).statusCode()).isEqualTo(204);
        assertThat(client.get(path).statusCode()).isEqualTo(404);
        // A missing asset is 404 whatever the conditions (RFC 9110 §13.2.1).
        assertError(send(client.authorized(path).header("If-Match", "*").DELETE().build()), 404, "no asset");
    }

    @Test
    void ifMatchStarDeletesAnExistingAsset()
    {
        String path = path(upload());
        assertThat(send(client.authorized(path).header("If-Match", "*").DELETE().build()).statusCode()).isEqualTo(204);
        assertThat(client.get(path).statusCode()).isEqualTo(404);
    }

    @Test
    void conditionsOnGetFollowTheStrongAndWeakComparisons()
    {
        String path = path(upload());
        String etag = client.get(path).headers().firstValue("ETag").orElseThrow();

        assertThat(get(path, "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(get(path, "If-None-Match", "W/" + etag).statusCode()).as("weak comparison").isEqualTo(304);
        assertThat(get(path, "If-None-Match", "\"a\", " + etag).statusCode()).isEqualTo(304);
        assertThat(get(path, "If-None-Match", "*").statusCode()).isEqualTo(304);
        HttpResponse<String> changed = get(path, "If-None-Match", "\"other\"");
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.headers().firstValue("ETag")).hasValue(etag);

        assertThat(get(path, "If-Match", etag).statusCode()).isEqualTo(200);
        assertError(get(path, "If-Match", "W/" + etag), 412, "If-Match");
        assertError(get(path, "If-Match", "\"other\""), 412, "If-Match");
        HttpResponse<String> notModified = get(path, "If-None-Match", etag);
        assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
        assertThat(notModified.body()).isEmpty();
    }

    private HttpResponse<String> get(String path, String header, String value)
    {
        return send(client.authorized(path).header(header, value).build());
    }

    private String upload()
    {
        return json(client.upload("c.txt", "text/plain", "conditional".getBytes(StandardCharsets.UTF_8))).get("id").asText();
    }

    private static String path(String id)
    {
        return "/api/v1/assets/" + id;
    }
}
