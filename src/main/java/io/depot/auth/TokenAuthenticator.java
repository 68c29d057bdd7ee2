package io.depot.auth;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
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
    private final RejectedTokens rejected;
    private final Counter lookups;

    public TokenAuthenticator(Jdbi jdbi, RejectedTokens rejected, MetricRegistry metrics)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.rejected = requireNonNull(rejected, "rejected is null");
        this.lookups = metrics.counter("depot.auth.lookups");
    }

    @Override
    public Optional<TenantPrincipal> authenticate(String credentials)
    {
        String token = credentials.trim();
        // A token that cannot be one of ours costs no database lookup.
        if (!ApiTokens.wellFormed(token)) {
            return Optional.empty();
        }
        String hash = ApiTokens.hash(token);
        if (rejected.recentlyRejected(hash)) {
            return Optional.empty();
        }
        Optional<TenantPrincipal> principal;
        try {
            lookups.inc();
            principal = jdbi.withExtension(TokenDao.class, dao -> dao.findActive(hash))
                    .map(found -> new TenantPrincipal(found.tenant(), found.id(), found.requestsPerWindow()));
        }
        catch (JdbiException e) {
            throw new DependencyUnavailableException("the database is unavailable", e);
        }
        if (principal.isEmpty()) {
            rejected.remember(hash);
        }
        return principal;
    }
}
