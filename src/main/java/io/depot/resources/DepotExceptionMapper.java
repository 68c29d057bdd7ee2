package io.depot.resources;

import io.depot.core.ConflictException;
import io.depot.core.DependencyUnavailableException;
import io.depot.core.DepotException;
import io.depot.core.GoneException;
import io.depot.core.InvalidInputException;
import io.depot.core.NotAcceptableException;
import io.depot.core.NotFoundException;
import io.depot.core.OverloadedException;
import io.depot.core.TooManyRequestsException;
import io.depot.core.TooLargeException;
import io.depot.core.UnsupportedContentTypeException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/** The one place where the domain's failures become HTTP statuses. */
public class DepotExceptionMapper
        implements ExceptionMapper<DepotException>
{
    private static final Logger log = LoggerFactory.getLogger(DepotExceptionMapper.class);

    // Every kind is a final class, so its exact class finds its status.
    private static final Map<Class<? extends DepotException>, Integer> STATUSES = Map.of(
            InvalidInputException.class, 400,
            NotFoundException.class, 404,
            NotAcceptableException.class, 406,
            ConflictException.class, 409,
            GoneException.class, 410,
            TooLargeException.class, 413,
            UnsupportedContentTypeException.class, 415,
            TooManyRequestsException.class, 429,
            DependencyUnavailableException.class, 503,
            OverloadedException.class, 503);

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
        else if (exception instanceof OverloadedException overloaded) {
            response.header(HttpHeaders.RETRY_AFTER, overloaded.retryAfterSeconds());
        }
        else if (exception instanceof TooManyRequestsException tooMany) {
            response.header(HttpHeaders.RETRY_AFTER, tooMany.retryAfterSeconds());
        }
        return response.build();
    }

    private static int status(DepotException exception)
    {
        Integer status = STATUSES.get(exception.getClass());
        if (status == null) {
            throw new IllegalArgumentException("no status for " + exception.getClass().getName());
        }
        return status;
    }
}
