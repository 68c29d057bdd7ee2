package io.depot.resources;

import io.depot.core.InvalidInputException;
import io.depot.core.MediaTypes;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

import java.util.List;

/**
 * Every query parameter of the API, and the Idempotency-Key header, takes one value: one given
 * twice is a 400 naming it, where Jersey would quietly take the first (?filename=a&filename=b
 * stored "a"; two Idempotency-Keys replayed the first one's answer).
 */
@PreMatching
@Priority(Priorities.HEADER_DECORATOR)
public class SingleValuesFilter
        implements ContainerRequestFilter
{
    @Override
    public void filter(ContainerRequestContext request)
    {
        request.getUriInfo().getQueryParameters().forEach((name, values) -> {
            if (values.size() > 1) {
                throw new InvalidInputException("query parameter '" + MediaTypes.printable(name) + "' is given " + values.size() + " times: give it once");
            }
        });
        List<String> keys = request.getHeaders().get(Idempotency.HEADER);
        if (keys != null && keys.size() > 1) {
            throw new InvalidInputException(Idempotency.HEADER + " is sent " + keys.size() + " times: send one key");
        }
    }
}
