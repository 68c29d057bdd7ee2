package io.depot.resources;

import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Jersey's own 415 says nothing useful; say what to send instead. */
public class UnsupportedMediaTypeMapper
        implements ExceptionMapper<NotSupportedException>
{
    @Override
    public Response toResponse(NotSupportedException exception)
    {
        return ErrorResponses.error(415, "this endpoint takes Content-Type: application/json").build();
    }
}
