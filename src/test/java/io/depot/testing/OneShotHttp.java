package io.depot.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/1.1 request on a connection of its own ("Connection: close"), so that a refused
 * connection means exactly "the listener is closed" and a response can be checked byte for byte
 * against its Content-Length: no pooled keep-alive connection blurs either. No body is ever sent,
 * whatever the headers declare, so an answer given from the head alone is read whole.
 */
public final class OneShotHttp
{
    public enum Outcome
    {
        /** A status line, headers and a body of the declared length. */
        COMPLETE,
        /** Nothing listened on the port. */
        REFUSED,
        /** Connected, but the response was missing, cut short or malformed. */
        BROKEN,
    }

    /** {@code headers} by name in any case, each with its values in the order they came. */
    public record Exchange(Outcome outcome, int status, Map<String, List<String>> headers, String body, String problem)
    {
        public boolean complete2xx()
        {
            return outcome == Outcome.COMPLETE && status >= 200 && status < 300;
        }
    }

    private OneShotHttp() {}

    public static Exchange get(int port, String path, Map<String, String> headers)
    {
        return send(port, "GET", path, headers);
    }

    /** {@code method} {@code target} with {@code headers} (a Content-Length among them declares a body that is not sent). */
    public static Exchange send(int port, String method, String target, Map<String, String> headers)
    {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
            catch (ConnectException e) {
                return new Exchange(Outcome.REFUSED, -1, Map.of(), "", e.getMessage());
            }
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return parse(socket.getInputStream().readAllBytes());
        }
        catch (IOException e) {
            return new Exchange(Outcome.BROKEN, -1, Map.of(), "", e.toString());
        }
    }

    private static Exchange parse(byte[] response)
    {
        String text = new String(response, StandardCharsets.ISO_8859_1);
        int headerEnd = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || headerEnd < 0) {
            return new Exchange(Outcome.BROKEN, -1, Map.of(), "", "no complete status line and headers (" + response.length + " bytes)");
        }
        int status = Integer.parseInt(text.substring(9, 12));
        Map<String, List<String>> headers = headers(text.substring(0, headerEnd));
        String head = text.substring(0, headerEnd).toLowerCase(Locale.ROOT);
        byte[] body = java.util.Arrays.copyOfRange(response, headerEnd + 4, response.length);
        if (head.contains("\r\ntransfer-encoding: chunked")) {
            return dechunk(status, headers, body);
        }
        Long declared = contentLength(head);
        if (declared == null) {
            return new Exchange(Outcome.BROKEN, status, headers, "", "no Content-Length and not chunked");
        }
        if (declared != body.length) {
            return new Exchange(Outcome.BROKEN, status, headers, "", "Content-Length " + declared + " but " + body.length + " bytes arrived");
        }
        return new Exchange(Outcome.COMPLETE, status, headers, new String(body, StandardCharsets.UTF_8), "");
    }

    // The header fields after the status line; the name's case is the first one seen.
    private static Map<String, List<String>> headers(String head)
    {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        head.lines().skip(1).forEach(line -> {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(line.substring(0, colon), name -> new ArrayList<>()).add(line.substring(colon + 1).strip());
            }
        });
        return headers;
    }

    private static Long contentLength(String head)
    {
        for (String line : head.split("\r\n")) {
            if (line.startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).strip());
            }
        }
        return null;
    }

    private static Exchange dechunk(int status, Map<String, List<String>> headers, byte[] chunked)
    {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        InputStream in = new java.io.ByteArrayInputStream(chunked);
        try {
            while (true) {
                String sizeLine = readLine(in);
                if (sizeLine == null) {
                    return new Exchange(Outcome.BROKEN, status, headers, "", "chunked body ended without its last chunk");
                }
                int size = Integer.parseInt(sizeLine.split(";")[0].strip(), 16);
                if (size == 0) {
                    return new Exchange(Outcome.COMPLETE, status, headers, body.toString(StandardCharsets.UTF_8), "");
                }
                byte[] chunk = in.readNBytes(size);
                if (chunk.length != size || readLine(in) == null) {
                    return new Exchange(Outcome.BROKEN, status, headers, "", "chunk cut short");
                }
                body.write(chunk);
            }
        }
        catch (IOException | NumberFormatException e) {
            return new Exchange(Outcome.BROKEN, status, headers, "", "bad chunked body: " + e);
        }
    }

    private static String readLine(InputStream in)
            throws IOException
    {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return line.toString().stripTrailing();
            }
            line.append((char) c);
        }
        return null;
    }
}
