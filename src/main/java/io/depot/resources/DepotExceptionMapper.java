package io.depot.resources;

import io.depot.core.DepotException;
import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every error a client can cause, as {"code", "message"}. */
public class DepotExceptionMapper
        implements ExceptionMapper<DepotException>
{
    private static final Logger log = LoggerFactory.getLogger(DepotExceptionMapper.class);

    @Context
    private jakarta.inject.Provider<ContainerRequestContext> request;

    @Override
    public Response toResponse(DepotException exception)
    {
        if (exception.status() >= 500) {
            log.warn("{}: {}", exception.getMessage(), String.valueOf(exception.getCause()));
        }
        Response.ResponseBuilder response = Response.status(exception.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(exception.status(), exception.getMessage()));
        switch (exception.status()) {
            case 401 -> response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"depot\"");
            case 429 -> response.header(HttpHeaders.RETRY_AFTER, request.get().getProperty(RateLimitFilter.RETRY_AFTER_PROPERTY));
            case 503 -> response.header(HttpHeaders.RETRY_AFTER, 5);
            default -> { }
        }
        return response.build();
    }
}
