package io.depot.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.api.ApiError;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;

/** The one shape of every error a client sees: {"code": status, "message": what to do about it}. */
public final class ErrorResponses
{
    private ErrorResponses() {}

    public static Response.ResponseBuilder error(int status, String message)
    {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(status, message));
    }

    /** Writes the error shape from a servlet filter, where no Jersey response exists yet. */
    public static void write(HttpServletResponse response, ObjectMapper json, int status, String message)
            throws IOException
    {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON);
        json.writeValue(response.getOutputStream(), new ApiError(status, message));
    }

    /** An error raised at the edge (a filter, a header), written as it is: Jersey maps no exception whose response has an entity. */
    public static WebApplicationException failure(Response.ResponseBuilder response)
    {
        return new WebApplicationException(response.build());
    }
}
