package io.depot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depot.testing.ApiContract;
import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract check fails when Depot and its document disagree: each case replays a real exchange
 * against the generated document with one fact taken out or changed, and the check must name it.
 * The same exchanges keep to the generated document itself (they run through it first).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApiContractTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of());

    private final DepotClient client = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));

    @Test
    void anUndocumentedStatusFails()
    {
        HttpRequest missing = client.authorized("/api/v1/assets/" + UUID.randomUUID()).build();
        assertThat(send(missing).statusCode()).isEqualTo(404);
        ApiContract without404 = changed(document -> ((ObjectNode) document.at("/paths/~1api~1v1~1assets~1{id}/get/responses")).remove("404"));
        assertThatThrownBy(() -> send(missing, without404)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("validation.response.status.unknown").hasMessageContaining("404");
    }

    @Test
    void anUndocumentedHeaderFails()
    {
        String id = json(client.upload("tagged.txt", "text/plain", "tag".getBytes(StandardCharsets.UTF_8))).get("id").asText();
        HttpRequest get = client.authorized("/api/v1/assets/" + id).build();
        assertThat(send(get).headers().firstValue("ETag")).isPresent();
        ApiContract withoutEtag = changed(document -> ((ObjectNode) document.at("/paths/~1api~1v1~1assets~1{id}/get/responses/200/headers")).remove("ETag"));
        assertThatThrownBy(() -> send(get, withoutEtag)).isInstanceOf(AssertionError.class).hasMessageContaining("header etag is not documented for 200");
    }

    @Test
    void aBodyOutsideItsSchemaFails()
    {
        String id = json(client.upload("sized.txt", "text/plain", "size".getBytes(StandardCharsets.UTF_8))).get("id").asText();
        HttpRequest get = client.authorized("/api/v1/assets/" + id).build();
        ApiContract sizeIsText = changed(document -> ((ObjectNode) document.at("/components/schemas/Asset/properties/size")).put("type", "string"));
        assertThatThrownBy(() -> send(get, sizeIsText)).isInstanceOf(AssertionError.class).hasMessageContaining("response body").hasMessageContaining("size");
        ApiContract noNullCursor = changed(document -> ((ObjectNode) document.at("/components/schemas/AssetPage/properties/nextCursor")).put("type", "string"));
        HttpRequest lastPage = client.authorized("/api/v1/assets").build();
        assertThat(json(send(lastPage)).get("nextCursor").isNull()).isTrue();
        assertThatThrownBy(() -> send(lastPage, noNullCursor)).isInstanceOf(AssertionError.class).hasMessageContaining("nextCursor");
    }

    @Test
    void anUndocumentedEndpointFails()
    {
        HttpRequest announce = client.announcement("{\"filename\":\"a.txt\",\"contentType\":\"text/plain\",\"size\":1}").build();
        assertThat(send(announce).statusCode()).isEqualTo(201);
        ApiContract withoutUploads = changed(document -> ((ObjectNode) document.get("paths")).remove("/api/v1/uploads"));
        assertThatThrownBy(() -> send(announce, withoutUploads)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("the document has no POST /api/v1/uploads").hasMessageContaining("instead of a client error");
    }

    @Test
    void aRequestTheDocumentRefusesMustBeRefused()
    {
        HttpRequest page = client.authorized("/api/v1/assets?limit=10").build();
        assertThat(send(page).statusCode()).isEqualTo(200);
        ApiContract fiveAtMost = changed(document -> ((ObjectNode) document.at("/paths/~1api~1v1~1assets/get/parameters/0/schema")).put("maximum", 5));
        assertThatThrownBy(() -> send(page, fiveAtMost)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("the document does not allow this request").hasMessageContaining("answered 200 instead of a client error");
    }

    private static ApiContract changed(Consumer<ObjectNode> change)
    {
        try {
            ObjectNode document = (ObjectNode) JSON.readTree(ApiContract.generatedDocument());
            change.accept(document);
            return ApiContract.of(JSON.writeValueAsString(document));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
