package io.depot.resources;

import io.depot.api.ApiError;
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
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DepotExceptionMapperTest
{
    private static final Map<Class<?>, Integer> STATUSES = Map.of(
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

    @Test
    void everyKindOfDomainFailureHasItsStatus()
    {
        // A new kind added to the sealed hierarchy fails here until it is given a status.
        assertThat(Arrays.asList(DepotException.class.getPermittedSubclasses())).containsExactlyInAnyOrderElementsOf(STATUSES.keySet());
        assertThat(response(new InvalidInputException("limit must be a number")).getStatus()).isEqualTo(400);
        assertThat(response(new NotFoundException("no asset")).getStatus()).isEqualTo(404);
        assertThat(response(new ConflictException("not yet")).getStatus()).isEqualTo(409);
        assertThat(response(new GoneException("expired")).getStatus()).isEqualTo(410);
        assertThat(response(new TooLargeException("too big")).getStatus()).isEqualTo(413);
        assertThat(response(new UnsupportedContentTypeException("no type")).getStatus()).isEqualTo(415);
        assertThat(response(new DependencyUnavailableException("down", new RuntimeException())).getStatus()).isEqualTo(503);
        assertThat(response(new TooManyRequestsException("at the cap", 1)).getStatus()).isEqualTo(429);
        assertThat(response(new OverloadedException("no buffer", 1)).getStatus()).isEqualTo(503);
    }

    @Test
    void theBodyIsCodeAndMessageAndUnavailableAsksForARetry()
    {
        Response unavailable = response(new DependencyUnavailableException("the database is unavailable", new RuntimeException("refused")));
        assertThat(unavailable.getEntity()).isEqualTo(new ApiError(503, "the database is unavailable"));
        assertThat(unavailable.getHeaderString("Retry-After")).isEqualTo("5");
        assertThat(response(new NotFoundException("no asset")).getHeaderString("Retry-After")).isNull();
        assertThat(response(new OverloadedException("no buffer", 1)).getHeaderString("Retry-After")).isEqualTo("1");
        assertThat(response(new TooManyRequestsException("at the cap", 2)).getHeaderString("Retry-After")).isEqualTo("2");
    }

    private static Response response(DepotException exception)
    {
        Response response = new DepotExceptionMapper().toResponse(exception);
        assertThat(response.getStatus()).isEqualTo(STATUSES.get(exception.getClass()));
        return response;
    }
}
