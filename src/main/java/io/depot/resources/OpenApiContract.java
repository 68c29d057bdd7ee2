package io.depot.resources;

import io.depot.api.ApiError;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.jaxrs2.ReaderListener;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.integration.api.OpenApiReader;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import jakarta.ws.rs.core.HttpHeaders;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parts of the OpenAPI document that no single resource states, because a filter or mapper
 * applies them to every route: the bearer scheme and its 401, the rate limit's 429, the 503 of a
 * dependency that is down, X-Request-Id on every response, the error body of every error, the
 * content codings of request bodies, and what an Idempotency-Key does.
 *
 * <p>Only the build's document generator (swagger-maven-plugin, which finds this class by its
 * {@link OpenAPIDefinition}) loads this class; swagger-core is not in the jar.
 */
@OpenAPIDefinition(
        info = @Info(title = "Depot", version = "1",
                description = "Media assets for tenants. Files live in a private bucket; downloads are short-lived presigned URLs. "
                        + "Every error is {\"code\", \"message\"}, every response carries X-Request-Id."))
@SecurityScheme(name = OpenApiContract.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API token (`depot token create`); it sees only its tenant's assets.")
public class OpenApiContract
        implements ReaderListener
{
    public static final String BEARER = "bearer";

    private static final String HEADERS = "#/components/headers/";
    public static final String ETAG = HEADERS + "ETag";
    public static final String PRIVATE_NO_CACHE = HEADERS + "CacheControlRevalidate";
    public static final String PUBLIC_MAX_AGE = HEADERS + "CacheControlPublic";
    private static final String REQUEST_ID = RequestIdFilter.HEADER;
    private static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

    @Override
    public void beforeScan(OpenApiReader reader, OpenAPI openApi) {}

    @Override
    public void afterScan(OpenApiReader reader, OpenAPI openApi)
    {
        if (openApi.getComponents() == null) {
            openApi.setComponents(new Components());
        }
        Components components = openApi.getComponents();
        Map<String, Schema> errorSchemas = ModelConverters.getInstance(true).read(ApiError.class);
        errorSchemas.forEach(components::addSchemas);
        components.addHeaders("ETag", header("The asset's strong entity tag, for If-None-Match and If-Match.", string(), true));
        components.addHeaders("CacheControlRevalidate", header("private, no-cache: a client may keep it, and revalidates it with If-None-Match.", string(), true));
        components.addHeaders("CacheControlPublic", header("Any cache may keep it for a while (" + OpenApiResource.CACHE_CONTROL + "), then revalidates it with If-None-Match.",
                string(), true));
        components.addHeaders(REQUEST_ID, header("The request's id: the caller's X-Request-Id when well-formed (" + RequestIdFilter.WELL_FORMED_PATTERN + "), else a new one. "
                + "Every response has it, also Jetty's own errors.", string(), true));
        components.addHeaders("RetryAfter", header("Seconds to wait before retrying.", new JsonSchema().types(Set.of("integer")).minimum(java.math.BigDecimal.ONE), false));
        components.addHeaders(IDEMPOTENT_REPLAYED, header("true when this is the replay of the first answer to the same request under the same Idempotency-Key.",
                string()._enum(List.of("true")), false));
        components.addHeaders("WwwAuthenticate", header("The Bearer challenge.", string(), true));
        components.addHeaders("AcceptEncoding", header("The content codings a request body may have: gzip.", string(), false));

        openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> complete(openApi, operation)));
    }

    private static void complete(OpenAPI openApi, Operation operation)
    {
        // Each resource that needs a token says so (@SecurityRequirement); TokenRequired binds the filters behind 401 and 429 to exactly those.
        boolean authenticated = operation.getSecurity() != null && !operation.getSecurity().isEmpty();
        boolean idempotent = describeIdempotencyKey(operation);
        parameter(operation, REQUEST_ID, "An id for this request, returned as X-Request-Id and logged; one that is not well-formed is replaced.", string());
        ApiResponses responses = operation.getResponses();
        response(responses, "400", "A malformed request: e.g. an Accept header that is not a media-range list, a Content-Type that is not a media type, "
                + "or a query parameter given twice.");
        if (authenticated) {
            response(responses, "401", "No valid bearer token.").addHeaderObject(HttpHeaders.WWW_AUTHENTICATE, reference("WwwAuthenticate"));
            response(responses, "429", "The token's rate limit is spent.");
            response(responses, "503", "PostgreSQL or the bucket is unavailable; retry after Retry-After.");
        }
        if (answersJson(operation)) {
            response(responses, "406", "The Accept header excludes application/json, the only type this operation answers.");
        }
        if (operation.getRequestBody() != null) {
            parameter(operation, "Content-Encoding", "gzip (or identity): the body is decoded as it is read; any other coding is 415.", string());
            response(responses, "415", "The body's Content-Type or Content-Encoding is not accepted.")
                    .addHeaderObject(HttpHeaders.ACCEPT_ENCODING, reference("AcceptEncoding"));
        }
        if (idempotent) {
            response(responses, "409", "A request with this Idempotency-Key is still in progress.");
            response(responses, "422", "This Idempotency-Key was used for a different request (other parameters or other bytes).");
        }
        responses.forEach((status, response) -> {
            // swagger-core gives a referenced header a style too, which a Reference Object may not have.
            if (response.getHeaders() != null) {
                response.getHeaders().replaceAll((name, header) -> header.get$ref() == null ? header : new Header().$ref(header.get$ref()));
            }
            int code = Integer.parseInt(status);
            if (code >= 400 && response.getContent() == null) {
                response.setContent(new Content().addMediaType(jakarta.ws.rs.core.MediaType.APPLICATION_JSON, new MediaType().schema(new JsonSchema().$ref("#/components/schemas/Error"))));
            }
            if (code == 429 || code == 503) {
                response.addHeaderObject(HttpHeaders.RETRY_AFTER, reference("RetryAfter"));
            }
            if (idempotent && code >= 200 && code < 300) {
                response.addHeaderObject(IDEMPOTENT_REPLAYED, reference(IDEMPOTENT_REPLAYED));
            }
            response.addHeaderObject(REQUEST_ID, reference(REQUEST_ID));
        });
    }

    // Jersey answers 406 itself when Accept excludes the one type a JSON operation produces.
    private static boolean answersJson(Operation operation)
    {
        return operation.getResponses().entrySet().stream()
                .anyMatch(response -> response.getKey().startsWith("2") && response.getValue().getContent() != null
                        && response.getValue().getContent().containsKey(jakarta.ws.rs.core.MediaType.APPLICATION_JSON));
    }

    private static boolean describeIdempotencyKey(Operation operation)
    {
        if (operation.getParameters() == null) {
            return false;
        }
        for (Parameter parameter : operation.getParameters()) {
            if ("header".equals(parameter.getIn()) && Idempotency.HEADER.equals(parameter.getName())) {
                parameter.description("Makes a retry safe: the same request under the same key (per tenant) replays the first answer with Idempotent-Replayed: true "
                        + "and does nothing again; another request under a used key is 422, one while the first still runs 409.")
                        .schema(string().pattern("^" + Idempotency.KEY_PATTERN + "$"));
                return true;
            }
        }
        return false;
    }

    private static ApiResponse response(ApiResponses responses, String status, String description)
    {
        return responses.computeIfAbsent(status, ignored -> new ApiResponse().description(description));
    }

    private static void parameter(Operation operation, String name, String description, Schema<?> schema)
    {
        List<Parameter> parameters = operation.getParameters() == null ? new ArrayList<>() : new ArrayList<>(operation.getParameters());
        parameters.add(new HeaderParameter().name(name).description(description).schema(schema));
        operation.setParameters(parameters);
    }

    private static Header header(String description, Schema<?> schema, boolean required)
    {
        return new Header().description(description).schema(schema).required(required);
    }

    private static Header reference(String name)
    {
        return new Header().$ref(HEADERS + name);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Schema<Object> string()
    {
        return new JsonSchema().types(Set.of("string"));
    }
}
