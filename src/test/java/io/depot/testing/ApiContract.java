package io.depot.testing;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.interaction.ApiOperationResolver;
import com.atlassian.oai.validator.model.ApiOperation;
import com.atlassian.oai.validator.model.ApiOperationMatch;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

import static java.util.Objects.requireNonNull;

/**
 * The OpenAPI document the build generated, held against an exchange with the API (every one
 * {@link DepotClient} sends goes through {@link #check}):
 * <ul>
 * <li>a request the document allows must get a response the document describes: its status, each
 * header it sends (no undocumented ones beyond HTTP's framing), and a body of the documented schema;</li>
 * <li>a request the document does not allow (a wrong parameter, a missing token, a method or path
 * it does not name) must be refused: a 4xx, or 501 for a method HTTP does not define, in the
 * error shape {"code", "message"}, described by the document too where it names the operation.</li>
 * </ul>
 * Atlassian's validator checks operations, parameters, the token, statuses, headers and media
 * types; its 2.x line checks schemas as JSON Schema draft-04 (3.x, which reads 3.1's JSON Schema
 * 2020-12, needs Java 21), so JSON bodies are checked here with networknt's validator in OpenAPI
 * 3.1's dialect, formats asserted. HEAD is GET without the body. OPTIONS (Jersey's Allow) is
 * HTTP's, and requests outside /api/ (the bucket's presigned URLs, the admin port) are not the
 * API's: neither is checked.
 */
public final class ApiContract
{
    /** What the build writes beside OpenApiResource (pom.xml, swagger-maven-plugin). */
    public static final String DOCUMENT = "/io/depot/resources/openapi.json";

    // What HTTP itself says of every message (framing, date, the representation's coding and what
    // it varies on): described by HTTP, not by the API. Every other header must be documented.
    private static final Set<String> FRAMING = caseInsensitive("Content-Type", "Content-Length", "Content-Encoding", "Vary", "Transfer-Encoding", "Date",
            "Connection", "Keep-Alive");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ApiContract GENERATED = of(generatedDocument());

    // Where the body schemas' references point: the document itself, by a name that is never fetched.
    private static final String BASE = "urn:depot:openapi";

    private final JsonNode document;
    private final OpenApiInteractionValidator validator;
    private final ApiOperationResolver operations;
    private final SchemaRegistry schemas;

    private ApiContract(String document)
    {
        try {
            this.document = JSON.readTree(document);
        }
        catch (IOException e) {
            throw new IllegalArgumentException("the document is not JSON", e);
        }
        this.validator = OpenApiInteractionValidator.createForInlineApiSpecification(document)
                .withLevelResolver(LevelResolver.create()
                        .withLevel("validation.request.body.schema", ValidationReport.Level.IGNORE)
                        .withLevel("validation.response.body.schema", ValidationReport.Level.IGNORE)
                        .build())
                .build();
        this.schemas = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), registry -> registry
                .schemas(Map.of(BASE, document))
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
        ParseOptions options = new ParseOptions();
        options.setResolveFully(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(document, null, options);
        OpenAPI openApi = requireNonNull(parsed.getOpenAPI(), () -> "the document does not parse: " + parsed.getMessages());
        this.operations = new ApiOperationResolver(openApi, null, false);
    }

    /** The document the build generated from the resources. */
    public static ApiContract generated()
    {
        return GENERATED;
    }

    /** A contract from another document: the tests that prove the check fails on a mismatch. */
    public static ApiContract of(String document)
    {
        return new ApiContract(document);
    }

    public static String generatedDocument()
    {
        try (InputStream in = ApiContract.class.getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException(DOCUMENT + " is not on the class path: the build generates it (mvn process-classes)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails with every way the exchange departs from the document. */
    public void check(HttpRequest request, Optional<byte[]> body, HttpResponse<String> response)
    {
        List<String> violations = violations(request, body, response);
        if (!violations.isEmpty()) {
            throw new AssertionError("%s %s answered %d %s%n  headers %s%n  breaks the OpenAPI document:%n  - %s".formatted(request.method(), request.uri(),
                    response.statusCode(), response.body(), response.headers().map(), String.join("\n  - ", violations)));
        }
    }

    /** Every way the exchange departs from the document; empty if it keeps to it. */
    public List<String> violations(HttpRequest request, Optional<byte[]> body, HttpResponse<String> response)
    {
        String path = request.uri().getRawPath();
        if (path == null || !path.startsWith("/api/") || request.method().equals("OPTIONS")) {
            return List.of();
        }
        boolean head = request.method().equals("HEAD");
        Optional<Request.Method> method = head ? Optional.of(Request.Method.GET) : method(request.method());
        ApiOperationMatch match = method.map(known -> operations.findApiOperation(path, known)).orElse(ApiOperationMatch.NOT_ALLOWED_OPERATION);
        if (!match.isPathFound() || !match.isOperationAllowed()) {
            return refusal(response, "the document has no " + request.method() + " " + path);
        }
        List<String> violations = new ArrayList<>();
        Optional<String> requestProblems = requestProblems(request, match.getApiOperation(), method.get(), path, body)
                .or(() -> bodyProblems(operation(match.getApiOperation()).path("requestBody"), request.headers().firstValue("Content-Type"),
                        body.map(bytes -> decode(request, bytes))));
        if (requestProblems.isPresent()) {
            violations.addAll(refusal(response, "the document does not allow this request (" + requestProblems.get() + ")"));
        }
        ApiOperation operation = match.getApiOperation();
        if (!head) {
            bodyProblems(operation(operation).path("responses").path(documentedStatus(operation, response.statusCode())),
                    response.headers().firstValue("Content-Type"), Optional.of(response.body().getBytes(StandardCharsets.UTF_8)))
                    .ifPresent(problem -> violations.add("response body: " + problem));
        }
        ValidationReport responseReport = validator.validateResponse(path, method.get(), response(response, head));
        responseReport.getMessages().stream()
                .filter(message -> message.getLevel() == ValidationReport.Level.ERROR)
                .filter(message -> !(head && message.getKey().equals("validation.response.body.missing")))
                .forEach(message -> violations.add(message.getKey() + ": " + message.getMessage()));
        ApiResponse documented = documentedResponse(match, response.statusCode());
        if (documented != null) {
            Set<String> allowed = caseInsensitive();
            allowed.addAll(FRAMING);
            if (documented.getHeaders() != null) {
                allowed.addAll(documented.getHeaders().keySet());
            }
            response.headers().map().keySet().stream()
                    .filter(name -> !allowed.contains(name))
                    .forEach(name -> violations.add("header " + name + " is not documented for " + response.statusCode() + " (documented: " + allowed + ")"));
        }
        return violations;
    }

    private Optional<String> requestProblems(HttpRequest request, ApiOperation operation, Request.Method method, String path, Optional<byte[]> body)
    {
        SimpleRequest.Builder simple = new SimpleRequest.Builder(method, path);
        request.headers().map().forEach((name, values) -> {
            List<String> sent = name.equalsIgnoreCase("Accept") ? mediaRanges(values) : present(values);
            // Repeated fields are one field whose value is their list (RFC 9110 §5.3), the value the document describes.
            if (!sent.isEmpty()) {
                simple.withHeader(name, String.join(", ", sent));
            }
        });
        String query = request.uri().getRawQuery();
        try {
            if (query != null && !query.isEmpty()) {
                for (String pair : query.split("&")) {
                    int equals = pair.indexOf('=');
                    String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                    simple.withQueryParam(name, equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
                }
            }
            Optional<byte[]> decoded = body.map(bytes -> decode(request, bytes));
            // A body longer than the recording holds is a streamed file: present, its bytes not inspected.
            if (request.bodyPublisher().map(publisher -> publisher.contentLength() != 0).orElse(false)) {
                simple.withBody(decoded.orElse(new byte[] {0}));
            }
        }
        catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        ValidationReport report = validator.validateRequest(simple.build());
        List<String> errors = report.getMessages().stream()
                .filter(message -> message.getLevel() == ValidationReport.Level.ERROR)
                // Atlassian's validator holds Accept to the types of the operation's bodies; a download's 302 has none, its Accept chooses what the redirect serves.
                .filter(message -> !(message.getKey().equals("validation.request.accept.notAllowed") && !hasSuccessBody(operation)))
                .map(message -> message.getKey() + ": " + message.getMessage())
                .toList();
        return errors.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", errors));
    }

    /**
     * A header's values without the empty ones: Atlassian's validator reports an optional header
     * sent empty as "required but is missing". Depot reads an empty Content-Digest as none and
     * replaces an empty X-Request-Id; one it refuses (an empty Idempotency-Key) gets a 400, which
     * the document lists for every operation, so the exchange is still checked.
     */
    private static List<String> present(List<String> values)
    {
        return values.stream().filter(value -> !value.isBlank()).toList();
    }

    /**
     * Accept's media ranges without the empty list elements, which a recipient parses and ignores
     * (RFC 9110 §5.6.1): "Accept: ," is no Accept, not an invalid media type.
     */
    private static List<String> mediaRanges(List<String> values)
    {
        return values.stream()
                .flatMap(value -> java.util.Arrays.stream(value.split(",")))
                .map(String::trim)
                .filter(range -> !range.isEmpty())
                .toList();
    }

    /**
     * A JSON body against the schema its media type has in {@code described} (a request body or
     * a response); empty if it keeps to it, or if there is no JSON schema to hold it to.
     */
    private Optional<String> bodyProblems(JsonNode described, Optional<String> contentType, Optional<byte[]> body)
    {
        if (contentType.isEmpty() || body.isEmpty() || body.get().length == 0) {
            return Optional.empty();
        }
        String type = contentType.get().split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        JsonNode schema = described.path("content").path(type).path("schema");
        if (!type.equals("application/json") || schema.isMissingNode()) {
            return Optional.empty();
        }
        JsonNode instance;
        try {
            instance = JSON.readTree(body.get());
        }
        catch (IOException e) {
            return Optional.of("not JSON: " + e.getMessage());
        }
        Schema compiled;
        try {
            compiled = schemas.getSchema(JSON.readTree(JSON.writeValueAsString(schema).replace("\"$ref\":\"#/", "\"$ref\":\"" + BASE + "#/")));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> errors = compiled.validate(instance).stream().map(Object::toString).toList();
        return errors.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", errors));
    }

    private static boolean hasSuccessBody(ApiOperation operation)
    {
        return operation.getOperation().getResponses().entrySet().stream()
                .anyMatch(response -> response.getKey().startsWith("2") && response.getValue().getContent() != null);
    }

    private JsonNode operation(ApiOperation operation)
    {
        return document.path("paths").path(operation.getApiPath().original()).path(operation.getMethod().name().toLowerCase(Locale.ROOT));
    }

    private static String documentedStatus(ApiOperation operation, int status)
    {
        return operation.getOperation().getResponses().containsKey(Integer.toString(status)) ? Integer.toString(status) : "default";
    }

    // A gzip body is checked as Depot reads it, decoded; no body has no coding to decode.
    private static byte[] decode(HttpRequest request, byte[] body)
    {
        if (body.length == 0 || !request.headers().firstValue("Content-Encoding").map(coding -> coding.trim().equalsIgnoreCase("gzip")).orElse(false)) {
            return body;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
        catch (IOException e) {
            throw new IllegalArgumentException("the body is not the gzip its Content-Encoding names", e);
        }
    }

    private static SimpleResponse response(HttpResponse<String> response, boolean head)
    {
        SimpleResponse.Builder simple = new SimpleResponse.Builder(response.statusCode());
        response.headers().map().forEach(simple::withHeader);
        if (!head && response.body() != null && !response.body().isEmpty()) {
            simple.withBody(response.body());
        }
        return simple.build();
    }

    private static ApiResponse documentedResponse(ApiOperationMatch match, int status)
    {
        Map<String, ApiResponse> responses = match.getApiOperation().getOperation().getResponses();
        ApiResponse exact = responses.get(Integer.toString(status));
        return exact != null ? exact : responses.get("default");
    }

    /** A refused request: a client error (or 501, a method HTTP does not define), in the error shape. */
    private static List<String> refusal(HttpResponse<String> response, String why)
    {
        int status = response.statusCode();
        if (!(status >= 400 && status < 500) && status != 501) {
            return List.of(why + ", yet it was answered " + status + " instead of a client error");
        }
        if (response.request().method().equals("HEAD")) {
            return List.of();
        }
        try {
            JsonNode error = JSON.readTree(response.body());
            if (error.path("code").asInt() == status && error.path("message").isTextual() && error.size() == 2) {
                return List.of();
            }
        }
        catch (IOException e) {
            // Reported below.
        }
        return List.of(why + ", and the refusal is not the error shape {\"code\": " + status + ", \"message\"}: " + response.body());
    }

    private static Optional<Request.Method> method(String name)
    {
        try {
            return Optional.of(Request.Method.valueOf(name.toUpperCase(Locale.ROOT)));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Set<String> caseInsensitive(String... names)
    {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(List.of(names));
        return set;
    }
}
