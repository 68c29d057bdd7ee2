package io.depot.resources;

import io.depot.core.MediaTypes;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What Jersey answers when no resource method matches the request, with a message that says what
 * would (its own is only "HTTP 405 Method Not Allowed" and the like): the methods the route takes,
 * the one type an endpoint answers, or where the API is described.
 */
public final class RoutingErrorMapper
{
    private RoutingErrorMapper() {}

    /** 405, keeping Jersey's Allow header. */
    public static class MethodNotAllowed
            implements ExceptionMapper<NotAllowedException>
    {
        @Context
        private Request request;
        @Context
        private UriInfo uri;

        @Override
        public Response toResponse(NotAllowedException exception)
        {
            Set<String> methods = new TreeSet<>(exception.getResponse().getAllowedMethods());
            // Jersey answers HEAD wherever it answers GET, yet leaves it out of Allow.
            if (methods.contains(HttpMethod.GET)) {
                methods.add(HttpMethod.HEAD);
            }
            String allowed = String.join(", ", methods);
            return ErrorResponses.error(405, MediaTypes.printable("/" + uri.getPath()) + " does not take " + request.getMethod() + "; it takes " + allowed)
                    .header(HttpHeaders.ALLOW, allowed)
                    .build();
        }
    }

    /** 406 from a JSON endpoint: what the client's Accept excluded. */
    public static class NotAcceptable
            implements ExceptionMapper<NotAcceptableException>
    {
        @Context
        private HttpHeaders headers;

        @Override
        public Response toResponse(NotAcceptableException exception)
        {
            List<String> accept = headers.getRequestHeader(HttpHeaders.ACCEPT);
            return ErrorResponses.error(406, "this endpoint answers only application/json, which Accept: '"
                    + MediaTypes.printable(accept == null ? "" : String.join(", ", accept)) + "' does not accept").build();
        }
    }

    /** 404 for a path no route has (an asset that does not exist is Depot's own 404). */
    public static class NoSuchRoute
            implements ExceptionMapper<NotFoundException>
    {
        @Context
        private UriInfo uri;

        @Override
        public Response toResponse(NotFoundException exception)
        {
            return ErrorResponses.error(404, "no endpoint at " + MediaTypes.printable("/" + uri.getPath())
                    + "; the API's endpoints are described at /api/v1/openapi.json").build();
        }
    }
}
