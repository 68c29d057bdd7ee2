package io.depot.auth;

import io.depot.core.ApiTokens;
import io.depot.core.DependencyUnavailableException;
import io.depot.db.TokenDao;
import io.dropwizard.auth.Authenticator;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Bearer tokens: only the SHA-256 of a token is looked up, never the token itself. */
public class TokenAuthenticator
        implements Authenticator<String, TenantPrincipal>
{
    private final Jdbi jdbi;

    public TokenAuthenticator(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    @Override
    public Optional<TenantPrincipal> authenticate(String credentials)
    {
        String token = credentials.trim();
        // A token that cannot be one of ours costs no database lookup.
        if (!ApiTokens.wellFormed(token)) {
            return Optional.empty();
        }
        try {
            return jdbi.withExtension(TokenDao.class, dao -> dao.findActive(ApiTokens.hash(token)))
                    .map(found -> new TenantPrincipal(found.tenant(), found.id()));
        }
        catch (JdbiException e) {
            throw new DependencyUnavailableException("the database is unavailable", e);
        }
    }
}
