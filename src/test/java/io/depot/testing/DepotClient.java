package io.depot.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardAppExtension;

import javax.net.ssl.SSLSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

/** The API as one tenant's token uses it, over plain HTTP; and what every test asserts about responses. */
public final class DepotClient
{
    /** Never follows redirects: a download's 302 and its Location are what tests look at. */
    public static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DropwizardAppExtension<?> app;
    private final String token;

    public DepotClient(DropwizardAppExtension<?> app, String token)
    {
        this.app = requireNonNull(app, "app is null");
        this.token = requireNonNull(token, "token is null");
    }

    /** A request to the application port carrying this client's bearer token. */
    public HttpRequest.Builder authorized(String pathAndQuery)
    {
        return HttpRequest.newBuilder(DepotServer.uri(app, pathAndQuery)).header("Authorization", "Bearer " + token);
    }

    public HttpResponse<String> get(String pathAndQuery)
    {
        return send(authorized(pathAndQuery).build());
    }

    /** POSTs {@code content} as a file named {@code filename} (encoded here). */
    public HttpResponse<String> upload(String filename, String contentType, byte[] content)
    {
        return send(uploadRequest(URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20"), contentType, content).build());
    }

    /** An upload whose filename goes into the query as it is, for tests of what a filename may not be. */
    public HttpRequest.Builder uploadRequest(String encodedFilename, String contentType, byte[] content)
    {
        return authorized("/api/v1/assets?filename=" + encodedFilename)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(content));
    }

    /** An announcement of a direct upload with {@code json} as its body. */
    public HttpRequest.Builder announcement(String json)
    {
        return authorized("/api/v1/uploads").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    }

    public HttpResponse<String> complete(String uploadId)
    {
        return send(authorized("/api/v1/uploads/" + uploadId + "/complete").POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** The PUT a ticket presigns, with the headers it names (the HTTP client sets Content-Length itself). */
    public static HttpRequest.Builder presignedPut(JsonNode ticket, byte[] content)
    {
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(ticket.get("url").asText())).PUT(HttpRequest.BodyPublishers.ofByteArray(content));
        ticket.get("headers").fields().forEachRemaining(header -> {
            if (!header.getKey().equalsIgnoreCase("content-length")) {
                put.header(header.getKey(), header.getValue().asText());
            }
        });
        return put;
    }

    /**
     * The Content-Type a 302 to a presigned GET has the bucket serve (its response-content-type
     * parameter, decoded), after checking the URL works. S3 serves it as it is; S3Proxy's Jetty
     * drops the space before a charset, so the parameter is what tells what Depot asked for.
     */
    public static String servedType(HttpResponse<String> redirect)
    {
        assertThat(redirect.statusCode()).as(redirect.body()).isEqualTo(302);
        URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
        try {
            assertThat(HTTP.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return java.util.Arrays.stream(location.getRawQuery().split("&"))
                .filter(parameter -> parameter.startsWith("response-content-type="))
                .map(parameter -> URLDecoder.decode(parameter.substring("response-content-type=".length()), StandardCharsets.UTF_8))
                .findFirst().orElseThrow(() -> new AssertionError("no response-content-type in " + location));
    }

    /** The bytes behind an asset's presigned download URL. */
    public byte[] download(String id)
    {
        URI location = URI.create(get("/api/v1/assets/" + id + "/content").headers().firstValue("Location").orElseThrow());
        try {
            return HTTP.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code request} and checks the exchange against the API's OpenAPI document ({@link ApiContract}). */
    public static HttpResponse<String> send(HttpRequest request)
    {
        return send(request, ApiContract.generated());
    }

    public static HttpResponse<String> send(HttpRequest request, ApiContract contract)
    {
        try {
            RecordedBody.Recorded recorded = RecordedBody.record(request);
            HttpResponse<String> response = HTTP.send(recorded.request(), HttpResponse.BodyHandlers.ofString());
            contract.check(request, recorded.bytes(), response);
            return response;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends {@code request}'s head alone, its Content-Length declaring the body, and checks the
     * answer as {@link #send} does: for a request refused from its head. The JDK client would still
     * be writing the body when the server answers and closes, and then may never read the answer.
     */
    public static HttpResponse<String> sendHead(HttpRequest request)
    {
        Map<String, String> headers = new LinkedHashMap<>();
        // Repeated fields are one field whose value is their list (RFC 9110 §5.3).
        request.headers().map().forEach((name, values) -> headers.put(name, String.join(", ", values)));
        request.bodyPublisher().ifPresent(body -> headers.put("Content-Length", Long.toString(body.contentLength())));
        String target = request.uri().getRawPath() + (request.uri().getRawQuery() == null ? "" : "?" + request.uri().getRawQuery());
        OneShotHttp.Exchange exchange = OneShotHttp.send(request.uri().getPort(), request.method(), target, headers);
        assertThat(exchange.outcome()).as("%s %s: %s", request.method(), request.uri(), exchange.problem()).isEqualTo(OneShotHttp.Outcome.COMPLETE);
        HttpResponse<String> response = new HeadAnswer(request, exchange.status(), HttpHeaders.of(exchange.headers(), (name, value) -> true), exchange.body());
        // The body was never sent, so none was recorded: checked as a streamed file is.
        ApiContract.generated().check(request, Optional.empty(), response);
        return response;
    }

    /** What {@link #sendHead} read, as the JDK client would have given it. */
    private record HeadAnswer(HttpRequest request, int statusCode, HttpHeaders headers, String body)
            implements HttpResponse<String>
    {
        @Override
        public Optional<HttpResponse<String>> previousResponse()
        {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession()
        {
            return Optional.empty();
        }

        @Override
        public URI uri()
        {
            return request.uri();
        }

        @Override
        public HttpClient.Version version()
        {
            return HttpClient.Version.HTTP_1_1;
        }
    }

    public static JsonNode json(HttpResponse<String> response)
    {
        try {
            return JSON.readTree(response.body());
        }
        catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    /** {@code text} as a JSON string literal. */
    public static String quote(String text)
    {
        try {
            return JSON.writeValueAsString(text);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The API's error shape: the status, and {"code": status, "message": ...} whose message contains {@code message}. */
    public static void assertError(HttpResponse<String> response, int status, String message)
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = json(response);
        assertThat(body.get("code").asInt()).isEqualTo(status);
        assertThat(body.get("message").asText()).contains(message);
    }
}
