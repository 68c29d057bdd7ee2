package io.depot.resources;

import io.depot.cache.RateLimiter;
import io.depot.core.DepotException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;

import static java.util.Objects.requireNonNull;

/** Runs after authentication, so the limit is per token. */
@Priority(Priorities.AUTHORIZATION)
public class RateLimitFilter
        implements ContainerRequestFilter
{
    public static final String RETRY_AFTER_PROPERTY = "depot.retryAfter";

    private final RateLimiter limiter;

    public RateLimitFilter(RateLimiter limiter)
    {
        this.limiter = requireNonNull(limiter, "limiter is null");
    }

    @Override
    public void filter(ContainerRequestContext request)
    {
        TenantPrincipal principal = (TenantPrincipal) request.getSecurityContext().getUserPrincipal();
        RateLimiter.Decision decision = limiter.acquire(principal.tokenId());
        if (!decision.allowed()) {
            request.setProperty(RETRY_AFTER_PROPERTY, decision.retryAfterSeconds());
            throw new DepotException(429, "rate limit of %d requests per window exceeded; retry in %d s".formatted(decision.limit(), decision.retryAfterSeconds()));
        }
    }
}
