package io.depot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.testing.DepotServer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Jetty and the servlet container answer before a resource runs is the API's JSON error too,
 * with a request id: sent as raw bytes, since a well-behaved client cannot send most of it.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ContainerErrorsTest
{
    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of());

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String token = DepotServer.createToken(DepotServer.newTenant());

    @Test
    void badRequestLineIsJson()
    {
        assertJsonError(exchange("GET /api/v1/assets with spaces HTTP/1.1\r\nHost: depot\r\n\r\n"), 400);
    }

    @Test
    void controlBytesInsteadOfARequestAreJson()
    {
        assertJsonError(exchange("\u0016\u0003\u0001hello\r\n\r\n"), 400);
    }

    @Test
    void headersTooLargeAreJson()
    {
        assertJsonError(exchange("GET /api/v1/assets HTTP/1.1\r\nHost: depot\r\nX-Padding: " + "a".repeat(64 * 1024) + "\r\n\r\n"), 431);
    }

    @Test
    void aHeaderOfNineKilobytesIs431()
    {
        assertJsonError(exchange("GET /api/v1/assets HTTP/1.1\r\nHost: depot\r\nX-Padding: " + "a".repeat(9 * 1024) + "\r\nConnection: close\r\n\r\n"), 431);
    }

    @Test
    void aTwentyKilobyteUrlIs414()
    {
        assertJsonError(exchange("GET /api/v1/assets?cursor=" + "a".repeat(20 * 1024) + " HTTP/1.1\r\nHost: depot\r\nConnection: close\r\n\r\n"), 414);
    }

    @Test
    void aMalformedPercentEncodingIs400()
    {
        assertJsonError(exchange("GET /api/v1/assets/%zz HTTP/1.1\r\nHost: depot\r\nConnection: close\r\n\r\n"), 400);
        assertJsonError(exchange("GET /api/v1/assets?cursor=%zz HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n"), 400);
    }

    @Test
    void aPathJettyRefusesSaysWhy()
    {
        // Jetty's own refusal has no text: it was a bare "Bad Request". It closes the connection, and must say so (a HEAD's client reused it).
        String refused = firstResponse("GET /api/v1/assets/a%00 HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token + "\r\n\r\n");
        assertJsonError(refused, 400, "the request's URI is not one Depot takes");
        assertThat(header(refused, "connection")).as(refused).isEqualToIgnoringCase("close");
    }

    @Test
    void aMethodNoResourceAllowsIs405WithAllow()
    {
        String trace = exchange("TRACE /api/v1/assets HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
        assertJsonError(trace, 405);
        assertThat(header(trace, "allow")).as(trace).contains("GET", "POST").doesNotContain("TRACE");
        String put = exchange("PUT /api/v1/assets/" + java.util.UUID.randomUUID() + " HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertJsonError(put, 405);
        assertThat(header(put, "allow")).as(put).contains("GET", "DELETE").doesNotContain("PUT");
    }

    @Test
    void optionsAnswersWhatAPathTakesWithOrWithoutAToken()
    {
        String id = java.util.UUID.randomUUID().toString();
        for (String credentials : new String[] {"Authorization: Bearer " + token + "\r\n", ""}) {
            String list = exchange("OPTIONS /api/v1/assets HTTP/1.1\r\nHost: depot\r\n" + credentials + "Connection: close\r\n\r\n");
            assertThat(list).as(list).startsWith("HTTP/1.1 200 ");
            assertThat(header(list, "allow").split(",\\s*")).as(list).containsExactlyInAnyOrder("GET", "HEAD", "OPTIONS", "POST");
            String asset = exchange("OPTIONS /api/v1/assets/" + id + " HTTP/1.1\r\nHost: depot\r\n" + credentials + "Connection: close\r\n\r\n");
            assertThat(asset).as(asset).startsWith("HTTP/1.1 200 ");
            assertThat(header(asset, "allow").split(",\\s*")).as(asset).contains("GET", "HEAD", "DELETE", "OPTIONS").doesNotContain("POST");
        }
    }

    @Test
    void anUnknownMethodIs501()
    {
        for (String method : new String[] {"BREW", "FOO", "PROPFIND"}) {
            assertJsonError(exchange(method + " /api/v1/assets HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n"), 501);
        }
    }

    /** The value of {@code name} in a raw response's head, empty when absent. */
    private static String header(String response, String name)
    {
        for (String line : response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return "";
    }

    @Test
    void malformedContentTypeIsJson()
    {
        String response = exchange("POST /api/v1/assets?filename=a.txt HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: foo/bar;x=?\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
        assertJsonError(response, 400);
    }

    @Test
    void anErrorIsJsonWhateverTheClientAccepts()
    {
        // An empty Accept, or one naming nothing Jetty writes, used to get a 400 without any body.
        for (String accept : new String[] {"", "image/png", "nonsense"}) {
            assertJsonError(exchange("POST /api/v1/assets?filename=a.txt HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token
                    + "\r\nAccept: " + accept + "\r\nContent-Type: *\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"), 400);
        }
    }

    @Test
    void aContentTypeThatIsEmptyTwiceOrNotAMediaTypeIs400NamingIt()
    {
        assertJsonError(exchange(upload("Content-Type: \r\n")), 400, "Content-Type is empty");
        assertJsonError(exchange(upload("Content-Type: text/plain\r\nContent-Type: image/png\r\n")), 400, "Content-Type is sent 2 times");
        assertJsonError(exchange(upload("Content-Type: foo/bar;x=?\r\n")), 400, "Content-Type 'foo/bar;x=?' is not a media type");
        // Jersey failed on an unreadable weight as it answered the request's error: a 500.
        assertJsonError(exchange(upload("Content-Type: */*;q=2\r\n").replace("a.txt", "")), 400, "Content-Type may not have a q parameter");
    }

    @Test
    void aCodingListJettyCannotReadIs400NamingIt()
    {
        // Jetty's gzip handler reads these before Depot does; a parameter before any coding failed its list parser: a 500.
        assertJsonError(exchange(upload("Content-Type: text/plain\r\nContent-Encoding: ;a=\"\"\r\n")), 400,
                "Content-Encoding ';a=\"\"' is not a comma-separated list of codings");
        assertJsonError(exchange(upload("Content-Type: text/plain\r\nAccept-Encoding: gzip, \"br\r\n")), 400,
                "Accept-Encoding 'gzip, \"br' is not a comma-separated list of codings");
    }

    /** A two-byte upload of a.txt with these header lines, on a connection that closes after it. */
    private String upload(String headerLines)
    {
        return "POST /api/v1/assets?filename=a.txt HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token + "\r\n" + headerLines
                + "Content-Length: 2\r\nConnection: close\r\n\r\nhi";
    }

    @Test
    void anEmptyOrRepeatedAcceptKeepsTheErrorsOwnMessage()
    {
        // Jersey's own reading of these failed as it chose the error body's type: a bare "Bad Request".
        for (String accept : new String[] {"Accept: \r\n", "Accept: \r\nAccept: \r\n", "Accept: ,\r\n", "Accept: application/json\r\nAccept: application/json\r\n"}) {
            assertJsonError(exchange("POST /api/v1/assets?filename= HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token + "\r\n" + accept
                    + "Content-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"), 400, "filename is required");
        }
    }

    @Test
    void whatNoRouteMatchesSaysWhatWould()
    {
        String auth = "Host: depot\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n";
        String delete = exchange("DELETE /api/v1/assets HTTP/1.1\r\n" + auth + "\r\n");
        assertJsonError(delete, 405, "/api/v1/assets does not take DELETE; it takes GET, HEAD, OPTIONS, POST");
        assertThat(header(delete, "allow")).isEqualTo("GET, HEAD, OPTIONS, POST");
        assertJsonError(exchange("GET /api/v1/assets HTTP/1.1\r\n" + auth + "Accept: image/png\r\n\r\n"), 406, "Accept: 'image/png' does not accept");
        assertJsonError(exchange("GET /api/v1/nothing HTTP/1.1\r\n" + auth + "\r\n"), 404, "no endpoint at /api/v1/nothing");
    }

    @Test
    void aQueryParameterGivenTwiceIs400NamingIt()
    {
        assertJsonError(exchange("POST /api/v1/assets?filename=a.txt&filename=b.txt HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"), 400, "'filename' is given 2 times");
        assertJsonError(exchange("GET /api/v1/assets?limit=1&limit=1 HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token
                + "\r\nConnection: close\r\n\r\n"), 400, "'limit' is given 2 times");
    }

    /**
     * A refusal that leaves the body unread tells the client the connection ends: Jetty will not
     * reuse it, and a client (or nginx) that sent its next request on it would get no answer.
     */
    @Test
    void aRefusalBeforeTheBodyIsReadClosesTheConnection()
    {
        String pendingBody = "\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n";
        String coding = firstResponse("POST /api/v1/assets?filename=a.bin HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token
                + "\r\nContent-Encoding: br" + pendingBody);
        assertThat(coding).startsWith("HTTP/1.1 415 ");
        assertThat(header(coding, "connection")).as(coding).isEqualToIgnoringCase("close");
        String unauthorized = firstResponse("POST /api/v1/assets?filename=a.bin HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer nope" + pendingBody);
        assertThat(unauthorized).startsWith("HTTP/1.1 401 ");
        assertThat(header(unauthorized, "connection")).as(unauthorized).isEqualToIgnoringCase("close");
        // Nothing left unread: the connection stays open.
        String notFound = firstResponse("GET /api/v1/assets/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token + "\r\n\r\n");
        assertThat(notFound).startsWith("HTTP/1.1 404 ");
        assertThat(header(notFound, "connection")).as(notFound).isEmpty();
    }

    /** The first response on a connection whose request may still owe its body: head and body. */
    private static String firstResponse(String request)
    {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), APP.getLocalPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            int end = -1;
            while (end < 0) {
                int next = in.read();
                if (next < 0) {
                    throw new AssertionError("the connection ended before a response head: " + received);
                }
                received.write(next);
                end = received.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
            }
            String head = received.toString(StandardCharsets.ISO_8859_1);
            String length = header(head, "content-length");
            byte[] body = in.readNBytes(length.isEmpty() ? 0 : Integer.parseInt(length));
            return head + new String(body, StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertJsonError(String response, int status)
    {
        assertJsonError(response, status, "");
    }

    /**
     * The error shape with a request id, and the headers of every other error: Jetty's own
     * Cache-Control, which the OpenAPI document does not list, is not among them.
     */
    private static void assertJsonError(String response, int status, String message)
    {
        assertThat(response).as(response).startsWith("HTTP/1.1 " + status + " ");
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
        assertThat(head).contains("content-type: application/json").contains("x-request-id: ").doesNotContain("cache-control");
        try {
            JsonNode body = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
            assertThat(body.get("code").asInt()).isEqualTo(status);
            assertThat(body.get("message").asText()).isNotBlank().contains(message);
        }
        catch (IOException e) {
            throw new AssertionError("not JSON: " + response, e);
        }
    }

    private static String exchange(String request)
    {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), APP.getLocalPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(response);
            return response.toString(StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
