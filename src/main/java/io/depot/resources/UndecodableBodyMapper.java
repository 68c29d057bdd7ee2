package io.depot.resources;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** A body that does not decode as its Content-Encoding says, met while a JSON body is read: the client's error. */
public class UndecodableBodyMapper
        implements ExceptionMapper<UndecodableBodyException>
{
    @Override
    public Response toResponse(UndecodableBodyException exception)
    {
        return ErrorResponses.error(400, exception.getMessage()).build();
    }
}
