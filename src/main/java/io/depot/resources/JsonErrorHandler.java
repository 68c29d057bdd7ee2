package io.depot.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.api.ApiError;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

import static java.util.Objects.requireNonNull;

/**
 * Errors that Jetty or the servlet container answer before (or instead of) a resource: a bad
 * request line, headers too large, a malformed Content-Type, an unknown method. They get the
 * API's one error shape, {"code", "message"}, never an HTML page, whatever the client accepts:
 * {@link #forServer} for what fails before a request reaches the application, {@link #forContext}
 * for what the servlet container answers itself.
 */
public final class JsonErrorHandler
{
    private final ObjectMapper json;

    public JsonErrorHandler(ObjectMapper json)
    {
        this.json = requireNonNull(json, "json is null");
    }

    public org.eclipse.jetty.server.handler.ErrorHandler forServer()
    {
        return withoutCacheControl(new org.eclipse.jetty.server.handler.ErrorHandler()
        {
            @Override
            public boolean errorPageForMethod(String method)
            {
                return true;
            }

            // Whatever Accept says: Jetty's negotiation writes no body at all for an empty or unmatched Accept.
            @Override
            protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback)
            {
                writeJson(request, response, callback, code, message);
            }

            @Override
            public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields)
            {
                return JsonErrorHandler.this.badMessageError(status, reason, fields);
            }
        });
    }

    public org.eclipse.jetty.ee10.servlet.ErrorHandler forContext()
    {
        return withoutCacheControl(new org.eclipse.jetty.ee10.servlet.ErrorHandler()
        {
            // Jetty writes error bodies only for GET, POST and HEAD by default.
            @Override
            public boolean errorPageForMethod(String method)
            {
                return true;
            }

            // Whatever Accept says: Jetty's negotiation writes no body at all for an empty or unmatched Accept.
            @Override
            protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback)
            {
                writeJson(request, response, callback, code, message);
            }

            @Override
            public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields)
            {
                return JsonErrorHandler.this.badMessageError(status, reason, fields);
            }
        });
    }

    /**
     * Jetty adds Cache-Control: must-revalidate,no-cache,no-store to the errors it writes, which
     * the errors Depot's own code answers (most of them) do not carry: one error, one set of
     * headers, the ones the OpenAPI document lists.
     */
    private static <T extends org.eclipse.jetty.server.handler.ErrorHandler> T withoutCacheControl(T handler)
    {
        handler.setCacheControl(null);
        return handler;
    }

    private void writeJson(Request request, Response response, Callback callback, int code, String message)
    {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(RequestIdFilter.HEADER, RequestIdFilter.requestId(request.getHeaders().get(RequestIdFilter.HEADER)));
        // A 400 that Jetty answers itself (Depot's own go through Jersey) is a request it could not take
        // (%00 in the path): it ends the connection after it, so say so, or a client reusing it gets no answer.
        if (code == HttpStatus.BAD_REQUEST_400) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    /**
     * A request Jetty could not take as HTTP. Jetty closes the connection after it, and says so:
     * a client that reused it (a HEAD's, say) got no answer at all to its next request.
     */
    private ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields)
    {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        fields.put(RequestIdFilter.HEADER, RequestIdFilter.requestId(null));
        fields.put(HttpHeader.CONNECTION, "close");
        return ByteBuffer.wrap(body(status, reason));
    }

    private byte[] body(int code, String message)
    {
        // A server error's own text may name internals; a client error's says what was wrong.
        String text = code >= 500 || message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        // Jetty refuses some URIs (%00 or an encoded separator in the path) with nothing but the reason phrase: say which part to look at.
        if (code == HttpStatus.BAD_REQUEST_400 && text.equalsIgnoreCase(HttpStatus.getMessage(code))) {
            text = "the request's URI is not one Depot takes: a NUL, an encoded / or \\, or a dot segment in its path?";
        }
        try {
            return json.writeValueAsBytes(new ApiError(code, text));
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
