package io.depot.resources;

import io.depot.auth.TenantPrincipal;
import io.depot.cache.RateLimiter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;

import static java.util.Objects.requireNonNull;

/** Runs after authentication, so the limit is per token: the token's own, else the configured one. */
@Priority(Priorities.AUTHORIZATION)
public class RateLimitFilter
        implements ContainerRequestFilter
{
    private final RateLimiter limiter;
    private final int configuredRequestsPerWindow;

    public RateLimitFilter(RateLimiter limiter, int configuredRequestsPerWindow)
    {
        this.limiter = requireNonNull(limiter, "limiter is null");
        this.configuredRequestsPerWindow = configuredRequestsPerWindow;
    }

    @Override
    public void filter(ContainerRequestContext request)
    {
        if (!(request.getSecurityContext().getUserPrincipal() instanceof TenantPrincipal principal)) {
            throw new IllegalStateException("every API resource is authenticated before its rate limit");
        }
        RateLimiter.Decision decision = limiter.acquire(principal.tokenId(), principal.requestsPerWindow().orElse(configuredRequestsPerWindow));
        if (!decision.allowed()) {
            throw ErrorResponses.failure(ErrorResponses.error(429, "rate limit of %d requests per window exceeded; retry in %d s"
                    .formatted(decision.limit(), decision.retryAfterSeconds())).header(HttpHeaders.RETRY_AFTER, decision.retryAfterSeconds()));
        }
    }
}
