package io.depot.resources;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;

import java.util.List;

/**
 * A malformed Accept header is refused before Jersey matches a resource, with a message saying
 * what it must look like. A well-formed one goes on as one field of its media ranges, empty
 * elements left out, none at all as no Accept: Jersey's own reading of empty or repeated empty
 * fields failed as it chose the type of an error's body, a bare "Bad Request".
 */
@PreMatching
@Priority(Priorities.HEADER_DECORATOR)
public class AcceptFilter
        implements ContainerRequestFilter
{
    @Override
    public void filter(ContainerRequestContext request)
    {
        List<String> values = request.getHeaders().get(HttpHeaders.ACCEPT);
        Accept.of(values);
        List<String> elements = Accept.elements(values);
        if (elements.isEmpty()) {
            request.getHeaders().remove(HttpHeaders.ACCEPT);
        }
        else {
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, String.join(", ", elements));
        }
    }
}
