package io.depot.resources;

import io.depot.api.ApiToken;
import io.depot.core.ApiTokens;
import io.depot.core.DepotException;
import io.depot.db.TokenDao;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import java.security.Principal;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Bearer tokens: only the SHA-256 of a token is looked up, never the token itself. */
@Priority(Priorities.AUTHENTICATION)
public class AuthenticationFilter
        implements ContainerRequestFilter
{
    private static final String SCHEME = "Bearer ";

    private final Jdbi jdbi;

    public AuthenticationFilter(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    @Override
    public void filter(ContainerRequestContext request)
    {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            throw unauthorized("an Authorization: Bearer <token> header is required");
        }
        if (!header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw unauthorized("the Authorization header must use the Bearer scheme");
        }
        String token = header.substring(SCHEME.length()).trim();
        if (!ApiTokens.wellFormed(token)) {
            throw unauthorized("the bearer token is not valid");
        }
        Optional<ApiToken> found;
        try {
            found = jdbi.withExtension(TokenDao.class, dao -> dao.findActive(ApiTokens.hash(token)));
        }
        catch (JdbiException e) {
            throw DepotException.unavailable("the database is unavailable", e);
        }
        ApiToken apiToken = found.orElseThrow(() -> unauthorized("the bearer token is not valid or has been revoked"));
        TenantPrincipal principal = new TenantPrincipal(apiToken.tenant(), apiToken.id());
        boolean secure = request.getSecurityContext().isSecure();
        request.setSecurityContext(new SecurityContext()
        {
            @Override
            public Principal getUserPrincipal()
            {
                return principal;
            }

            @Override
            public boolean isUserInRole(String role)
            {
                return false;
            }

            @Override
            public boolean isSecure()
            {
                return secure;
            }

            @Override
            public String getAuthenticationScheme()
            {
                return "Bearer";
            }
        });
    }

    private static DepotException unauthorized(String message)
    {
        return new DepotException(401, message);
    }
}
