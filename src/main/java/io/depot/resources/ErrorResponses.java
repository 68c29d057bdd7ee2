package io.depot.resources;

import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The one shape of every error a client sees: {"code": status, "message": what to do about it}. */
public final class ErrorResponses
{
    private ErrorResponses() {}

    public static Response.ResponseBuilder error(int status, String message)
    {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(status, message));
    }

    /** An error raised at the edge (a filter, a header), written as it is: Jersey maps no exception whose response has an entity. */
    public static WebApplicationException failure(Response.ResponseBuilder response)
    {
        return new WebApplicationException(response.build());
    }
}
