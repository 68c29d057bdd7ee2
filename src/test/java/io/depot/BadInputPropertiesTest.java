package io.depot;

import com.fasterxml.jackson.databind.JsonNode;
import io.depot.resources.RequestIdFilter;
import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.depot.testing.TestStack;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.eclipse.jetty.http.HttpStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.depot.testing.ClientInput.anyText;
import static io.depot.testing.ClientInput.mutate;
import static io.depot.testing.ClientInput.textOf;
import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

/**
 * Generated bad input over every endpoint's parameters, headers and bodies, sent over HTTP to the
 * real application: never a 5xx; every error is the API's JSON error whose code is the status,
 * with a request id and a message that says what was wrong (not a bare reason phrase); every
 * exchange keeps to the OpenAPI document ({@link DepotClient#send}); and nothing is half-written:
 * each of the tenant's rows has its object of its size, and each object its row.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class BadInputPropertiesTest
{
    // The rate limit and the upload caps are not under test: thousands of requests from one token.
    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of("limits.requestsPerWindow", "1000000"));

    // Each property's examples per build (their seed is pom.xml's properties.seed): the suite's time kept small.
    private static final int EXAMPLES = 100;
    private static final List<String> HEADERS = List.of("Accept", "If-Match", "If-None-Match", "Idempotency-Key", "Content-Digest", "x-amz-checksum-sha256",
            "Content-Encoding", "Accept-Encoding", "X-Request-Id");

    private final String tenant = DepotServer.newTenant();
    private final DepotClient client = new DepotClient(APP, DepotServer.createToken(tenant));
    private String previous = "none";

    @Test
    void readsAndDeletesWithAnyParametersAndHeaders()
    {
        String existing = json(client.upload("seed.txt", "text/plain", "seed".getBytes(StandardCharsets.UTF_8))).get("id").asText();
        Gen<String> id = Generate.oneOf(Generate.constant(existing), anyText().map(BadInputPropertiesTest::encoded), Generate.constant(existing.toUpperCase()));
        Gen<String> path = Generate.oneOf(
                anyText().zip(anyText(), (limit, cursor) -> "/api/v1/assets?limit=" + encoded(limit) + "&cursor=" + encoded(cursor)),
                integers().between(-3, 300).map(limit -> "/api/v1/assets?limit=" + limit),
                id.map(asset -> "/api/v1/assets/" + asset),
                id.map(asset -> "/api/v1/assets/" + asset + "/content"),
                id.map(asset -> "/api/v1/uploads/" + asset + "/complete"));
        Gen<String> method = Generate.pick(List.of("GET", "HEAD", "DELETE", "POST", "GET"));
        qt().withExamples(EXAMPLES).forAll(method, path, headers()).checkAssert((verb, target, extra) -> {
            HttpRequest.Builder request = client.authorized(target).method(verb, HttpRequest.BodyPublishers.noBody());
            extra.forEach(header -> request.header(header.name(), header.value()));
            assertAnswer(verb + " " + target + " " + extra, request);
        });
    }

    @Test
    void uploadsWithAnyFilenameTypeHeadersAndBody()
    {
        Gen<String> contentType = Generate.oneOf(headerValues(), Generate.pick(List.of("text/plain", "application/octet-stream", "image/png; charset=x")));
        Gen<byte[]> body = Generate.oneOf(anyText().map(text -> text.getBytes(StandardCharsets.UTF_8)), Generate.constant(new byte[0]));
        qt().withExamples(EXAMPLES).forAll(anyText(), contentType, headers(), body).checkAssert((filename, type, extra, bytes) -> {
            HttpRequest.Builder request = client.uploadRequest(encoded(filename), type, bytes);
            extra.forEach(header -> request.header(header.name(), header.value()));
            assertAnswer("POST filename=" + filename + " type=" + type + " " + extra, request);
        });
    }

    @Test
    void announcementsWithAnyJson()
    {
        Gen<String> value = Generate.oneOf(anyText().map(DepotClient::quote), integers().all().map(number -> Integer.toString(number)),
                Generate.pick(List.of("null", "true", "1.5", "-1", "9223372036854775808", "[]", "{}", "\"\"", "1e400", "\"a/b\"", "\"text/plain\"")),
                textOf("0123456789abcdef", 64, 64).map(DepotClient::quote));
        Gen<String> field = Generate.pick(List.of("filename", "contentType", "size", "sha256", "other", "size"));
        Gen<String> object = lists().of(field.zip(value, (name, text) -> DepotClient.quote(name) + ":" + text)).ofSizeBetween(0, 6)
                .map(members -> "{" + String.join(",", members) + "}");
        Gen<String> document = Generate.oneOf(object, object.map(text -> mutate(text)), anyText(), strings().ascii().ofLengthBetween(0, 20));
        qt().withExamples(EXAMPLES).forAll(document, headers()).checkAssert((json, extra) -> {
            HttpRequest.Builder request = client.announcement(json);
            extra.forEach(header -> request.header(header.name(), header.value()));
            assertAnswer("POST /api/v1/uploads " + json + " " + extra, request);
        });
    }

    /** Whatever was sent, accepted or refused: every row of the tenant has its object, of its size, and every object its row. */
    @AfterEach
    void nothingHalfWritten()
    {
        Map<String, Long> objects = TestStack.get().objectFiles(APP.getConfiguration().getStorage().getBucket(), tenant).stream()
                .collect(Collectors.toMap(file -> file.getFileName().toString(), BadInputPropertiesTest::size));
        assertThat(objects).as("objects of %s against its rows", tenant).isEqualTo(rows());
    }

    private Map<String, Long> rows()
    {
        Map<String, Long> rows = new HashMap<>();
        try (Connection connection = TestStack.get().connect();
                PreparedStatement select = connection.prepareStatement("SELECT id, size FROM assets WHERE tenant = ?")) {
            select.setString(1, tenant);
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    rows.put(result.getString(1), result.getLong(2));
                }
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    private static long size(Path file)
    {
        try {
            return java.nio.file.Files.size(file);
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // Header values a client can put on the wire: printable ASCII and tabs (the HTTP client refuses anything else).
    private static Gen<String> headerValues()
    {
        return Generate.oneOf(strings().betweenCodePoints(' ', '~').ofLengthBetween(0, 40), anyText().map(BadInputPropertiesTest::printable),
                Generate.pick(List.of("", "*", "W/\"x\"", "\"", ";", ",", "sha-256=:", "gzip", "br", "*/*;q=2", ":AAAA:", "a/b;c", ";a=\"\"")));
    }

    /** A request header, printed as it is sent. */
    private record Header(String name, String value)
    {
        @Override
        public String toString()
        {
            return name + ": " + value;
        }
    }

    // Up to three, the same name more than once now and then: a repeated header is a list to parse too.
    private static Gen<List<Header>> headers()
    {
        return lists().of(Generate.pick(HEADERS).zip(headerValues(), (name, text) -> new Header(name, text.strip()))).ofSizeBetween(0, 3);
    }

    /**
     * Sends the request and checks its answer. A connection the server closed without saying so
     * fails the request sent after it on the same connection, so a failure to get any answer
     * names the request before.
     */
    private void assertAnswer(String sent, HttpRequest.Builder request)
    {
        HttpResponse<String> response;
        try {
            response = send(request.build());
        }
        catch (UncheckedIOException e) {
            throw new AssertionError("no answer to " + sent + " (the request before it: " + previous + ")", e);
        }
        finally {
            previous = sent;
        }
        assertAnswer(sent, response);
    }

    private static void assertAnswer(String sent, HttpResponse<String> response)
    {
        int status = response.statusCode();
        assertThat(status).as("answer to %s: %s", sent, response.body()).isLessThan(500);
        assertThat(response.headers().firstValue(RequestIdFilter.HEADER)).as("request id in the answer to %s", sent).isPresent();
        if (status >= 400 && !response.request().method().equals("HEAD")) {
            JsonNode error = json(response);
            assertThat(error.path("code").asInt()).as("code of %s: %s", sent, response.body()).isEqualTo(status);
            assertThat(error.path("message").isTextual()).as("message of %s: %s", sent, response.body()).isTrue();
            String message = error.get("message").asText();
            assertThat(message).as("the message of %d to %s says what was wrong, not only its reason phrase", status, sent)
                    .isNotEqualToIgnoringCase(HttpStatus.getMessage(status))
                    .doesNotMatch("HTTP \\d{3} .*");
        }
    }

    private static String encoded(String text)
    {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String printable(String text)
    {
        return text.replaceAll("[^ -~\t]", "");
    }
}
