package io.depot.auth;

import java.security.Principal;
import java.util.OptionalInt;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * Who is calling: the tenant every query is scoped to, and the token with its own rate limit
 * (empty for the configured one).
 */
public record TenantPrincipal(String tenant, UUID tokenId, OptionalInt requestsPerWindow)
        implements Principal
{
    public TenantPrincipal
    {
        requireNonNull(tenant, "tenant is null");
        requireNonNull(tokenId, "tokenId is null");
        requireNonNull(requestsPerWindow, "requestsPerWindow is null");
    }

    @Override
    public String getName()
    {
        return tenant;
    }
}
