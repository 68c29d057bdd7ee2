package io.depot.resources;

import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;

import java.util.List;

/**
 * Binds the filters that need a token (the Bearer challenge, the rate limit per token) to every
 * resource method, except those whose method or class is marked {@link PublicRoute}: a route needs a
 * token unless it says otherwise. Methods Jersey adds to a resource (OPTIONS answering Allow) are
 * not Depot's: they answer what a path takes, to any client, as HTTP has them do.
 */
public class TokenRequired
        implements DynamicFeature
{
    private final List<Object> filters;

    public TokenRequired(Object... filters)
    {
        this.filters = List.of(filters);
    }

    @Override
    public void configure(ResourceInfo resource, FeatureContext context)
    {
        if (!resource.getResourceClass().isAnnotationPresent(Path.class)
                || resource.getResourceClass().isAnnotationPresent(PublicRoute.class)
                || resource.getResourceMethod().isAnnotationPresent(PublicRoute.class)) {
            return;
        }
        filters.forEach(context::register);
    }
}
