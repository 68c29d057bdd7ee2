package io.depot.resources;

import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Jersey's own 415 says nothing useful; say what to send instead. */
public class UnsupportedMediaTypeMapper
        implements ExceptionMapper<NotSupportedException>
{
    @Override
    public Response toResponse(NotSupportedException exception)
    {
        return Response.status(415)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(415, "this endpoint takes Content-Type: application/json"))
                .build();
    }
}
