package io.depot.auth;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.dropwizard.auth.Authenticator;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Accepted tokens kept in process for at most {@code bound}, so a revocation holds everywhere
 * within it. A token still in use past half the bound is checked again in the background while
 * requests go on being answered from the entry: under steady traffic no request thread waits for
 * PostgreSQL, where an entry that simply expired made every request of its token queue behind one
 * lookup. A refused token is not kept, so a new token works at once. Not Caffeine's own
 * refreshAfterWrite: it logs every failed refresh with its stack trace, where a failed recheck
 * here is counted ({@code depot.auth.cache.failed-rechecks}) while PostgreSQL is down, and it runs
 * refreshes on the executor its own maintenance uses.
 */
public class TokenCache
        implements Authenticator<String, TenantPrincipal>
{
    private record Entry(TenantPrincipal principal, long checkedAtNanos, AtomicBoolean rechecking) {}

    private final Function<String, Optional<TenantPrincipal>> tokens;
    private final Executor rechecks;
    private final Ticker ticker;
    private final long recheckAfterNanos;
    private final Cache<String, Entry> accepted;
    private final Meter misses;
    private final Meter failedRechecks;

    public TokenCache(Function<String, Optional<TenantPrincipal>> tokens, Duration bound, long maximumSize, Executor rechecks, Ticker ticker, MetricRegistry metrics)
    {
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.rechecks = requireNonNull(rechecks, "rechecks is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.recheckAfterNanos = bound.toNanos() / 2;
        this.accepted = Caffeine.newBuilder()
                .expireAfterWrite(bound)
                .maximumSize(maximumSize)
                .ticker(ticker)
                .build();
        this.misses = metrics.meter("depot.auth.cache.misses");
        this.failedRechecks = metrics.meter("depot.auth.cache.failed-rechecks");
        metrics.gauge("depot.auth.cache.size", () -> accepted::estimatedSize);
    }

    @Override
    public Optional<TenantPrincipal> authenticate(String token)
    {
        // A miss looks the token up once while the other requests of the same token wait for it.
        Entry entry = accepted.get(token, this::lookUp);
        if (entry == null) {
            return Optional.empty();
        }
        if (ticker.read() - entry.checkedAtNanos() >= recheckAfterNanos && entry.rechecking().compareAndSet(false, true)) {
            try {
                rechecks.execute(() -> recheck(token, entry));
            }
            catch (RejectedExecutionException stopping) {
                entry.rechecking().set(false);
            }
        }
        return Optional.of(entry.principal());
    }

    /** Replaces the entry only if it is still the one read: a revoked token's entry goes, a failed check leaves it to expire. */
    private void recheck(String token, Entry entry)
    {
        try {
            Optional<TenantPrincipal> principal = tokens.apply(token);
            if (principal.isPresent()) {
                accepted.asMap().replace(token, entry, checkedNow(principal.get()));
            }
            else {
                accepted.asMap().remove(token, entry);
            }
        }
        catch (RuntimeException e) {
            // PostgreSQL unreachable: the entry still expires at the bound, then a request's own lookup answers 503.
            failedRechecks.mark();
            entry.rechecking().set(false);
        }
    }

    private Entry lookUp(String token)
    {
        misses.mark();
        return tokens.apply(token).map(this::checkedNow).orElse(null);
    }

    private Entry checkedNow(TenantPrincipal principal)
    {
        return new Entry(principal, ticker.read(), new AtomicBoolean());
    }
}
