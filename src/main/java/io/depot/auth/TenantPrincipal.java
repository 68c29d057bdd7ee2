package io.depot.auth;

import java.security.Principal;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/** Who is calling: the tenant every query is scoped to, and the token (for rate limits). */
public record TenantPrincipal(String tenant, UUID tokenId)
        implements Principal
{
    public TenantPrincipal
    {
        requireNonNull(tenant, "tenant is null");
        requireNonNull(tokenId, "tokenId is null");
    }

    @Override
    public String getName()
    {
        return tenant;
    }
}
