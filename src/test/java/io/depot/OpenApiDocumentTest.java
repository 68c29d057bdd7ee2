package io.depot;

import com.fasterxml.jackson.databind.JsonNode;
import io.depot.testing.ApiContract;
import io.depot.testing.DepotServer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.glassfish.jersey.server.ExtendedResourceContext;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.depot.testing.DepotClient.assertError;
import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static io.depot.testing.DepotServer.uri;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /api/v1/openapi.json: the document the build generated, without a token, cacheable, and naming every route the application serves. */
@ExtendWith(DropwizardExtensionsSupport.class)
class OpenApiDocumentTest
{
    private static final String PATH = "/api/v1/openapi.json";

    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of());

    @Test
    void theDocumentIsServedWithoutATokenAndCacheable()
    {
        HttpResponse<String> document = send(HttpRequest.newBuilder(uri(APP, PATH)).build());
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(document.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(document.headers().firstValue("Cache-Control")).hasValue("public, max-age=300");
        assertThat(document.body()).isEqualTo(ApiContract.generatedDocument());
        assertThat(json(document).get("openapi").asText()).isEqualTo("3.1.0");
        String etag = document.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> notModified = send(HttpRequest.newBuilder(uri(APP, PATH)).header("If-None-Match", etag).build());
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
        assertThat(notModified.body()).isEmpty();
        assertThat(send(HttpRequest.newBuilder(uri(APP, PATH)).header("If-None-Match", "\"other\"").build()).statusCode()).isEqualTo(200);
        assertError(send(HttpRequest.newBuilder(uri(APP, PATH)).header("If-Match", "\"other\"").build()), 412, "does not satisfy If-Match");
        // A token is not needed, and one that is not valid does not matter either.
        assertThat(send(HttpRequest.newBuilder(uri(APP, PATH)).header("Authorization", "Bearer nope").build()).statusCode()).isEqualTo(200);
        assertError(send(HttpRequest.newBuilder(uri(APP, PATH)).POST(HttpRequest.BodyPublishers.noBody()).build()), 405, "");
    }

    @Test
    void everyRouteTheApplicationServesIsInTheDocument()
    {
        Set<String> served = new HashSet<>();
        ServletContainer jersey = (ServletContainer) APP.getEnvironment().getJerseyServletContainer();
        for (Resource resource : jersey.getApplicationHandler().getInjectionManager().getInstance(ExtendedResourceContext.class).getResourceModel().getRootResources()) {
            // Extended methods are Jersey's own (OPTIONS answering Allow), HTTP's rather than the API's.
            for (ResourceMethod method : resource.getResourceMethods().stream().filter(method -> !method.isExtended()).toList()) {
                served.add(method.getHttpMethod().toLowerCase(Locale.ROOT) + " " + resource.getPath());
            }
            assertThat(resource.getChildResources()).as(resource.getPath()).isEmpty();
        }
        Set<String> documented = new HashSet<>();
        JsonNode paths = json(send(HttpRequest.newBuilder(uri(APP, PATH)).build())).get("paths");
        for (Iterator<Map.Entry<String, JsonNode>> path = paths.fields(); path.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = path.next();
            entry.getValue().fieldNames().forEachRemaining(method -> documented.add(method + " " + entry.getKey()));
        }
        assertThat(served).hasSize(8);
        assertThat(documented).isEqualTo(served);
    }
}
