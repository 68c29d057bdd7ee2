package io.depot.resources;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;

/** A malformed Accept header is refused before Jersey matches a resource, with a message saying what it must look like. */
@PreMatching
@Priority(Priorities.HEADER_DECORATOR)
public class AcceptFilter
        implements ContainerRequestFilter
{
    @Override
    public void filter(ContainerRequestContext request)
    {
        Accept.of(request.getHeaders().get(HttpHeaders.ACCEPT));
    }
}
