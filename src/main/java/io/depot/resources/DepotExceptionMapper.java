package io.depot.resources;

import io.depot.core.ConflictException;
import io.depot.core.DependencyUnavailableException;
import io.depot.core.DepotException;
import io.depot.core.GoneException;
import io.depot.core.InvalidInputException;
import io.depot.core.NotFoundException;
import io.depot.core.TooLargeException;
import io.depot.core.UnsupportedContentTypeException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where the domain's failures become HTTP statuses. */
public class DepotExceptionMapper
        implements ExceptionMapper<DepotException>
{
    private static final Logger log = LoggerFactory.getLogger(DepotExceptionMapper.class);

    /** Seconds a client is asked to wait before retrying while a dependency is down. */
    private static final int RETRY_AFTER_SECONDS = 5;

    @Override
    public Response toResponse(DepotException exception)
    {
        int status = status(exception);
        Response.ResponseBuilder response = ErrorResponses.error(status, exception.getMessage());
        if (exception instanceof DependencyUnavailableException) {
            log.warn("{}: {}", exception.getMessage(), String.valueOf(exception.getCause()));
            response.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response.build();
    }

    static int status(DepotException exception)
    {
        if (exception instanceof InvalidInputException) {
            return 400;
        }
        if (exception instanceof NotFoundException) {
            return 404;
        }
        if (exception instanceof ConflictException) {
            return 409;
        }
        if (exception instanceof GoneException) {
            return 410;
        }
        if (exception instanceof TooLargeException) {
            return 413;
        }
        if (exception instanceof UnsupportedContentTypeException) {
            return 415;
        }
        if (exception instanceof DependencyUnavailableException) {
            return 503;
        }
        throw new IllegalArgumentException("no status for " + exception.getClass().getName());
    }
}
