package io.depot.auth;

import com.codahale.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When the token cache asks PostgreSQL, on whose thread, and that no answer outlives the bound: its clock and executor are the test's. */
class TokenCacheRechecksTest
{
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String TOKEN = "dpt_token";
    private static final TenantPrincipal PRINCIPAL = new TenantPrincipal("tenant-a", UUID.randomUUID(), OptionalInt.empty());

    private final AtomicLong now = new AtomicLong();
    private final List<Runnable> queued = new ArrayList<>();
    private final Map<String, Optional<TenantPrincipal>> database = new HashMap<>(Map.of(TOKEN, Optional.of(PRINCIPAL)));
    private final AtomicLong lookups = new AtomicLong();
    private boolean databaseDown;
    private final TokenCache cache = new TokenCache(this::lookUp, BOUND, 100, queued::add, now::get, new MetricRegistry());

    @Test
    void withinHalfTheBoundRequestsAreAnsweredFromMemory()
    {
        for (int request = 0; request < 5; request++) {
            assertThat(cache.authenticate(TOKEN)).contains(PRINCIPAL);
            advance(Duration.ofSeconds(1));
        }
        assertThat(lookups).hasValue(1);
        assertThat(queued).isEmpty();
    }

    @Test
    void pastHalfTheBoundOneRecheckIsQueuedAndRequestsDoNotWaitForIt()
    {
        cacheAndQueueRecheck();
        for (int request = 0; request < 2; request++) {
            assertThat(cache.authenticate(TOKEN)).contains(PRINCIPAL);
        }
        assertThat(lookups).as("no lookup on the request's thread").hasValue(1);
        assertThat(queued).hasSize(1);

        runQueued();
        assertThat(lookups).hasValue(2);
        advance(BOUND.dividedBy(2));
        assertThat(cache.authenticate(TOKEN)).as("the recheck restarted the bound").contains(PRINCIPAL);
        assertThat(lookups).hasValue(2);
    }

    @Test
    void aRecheckThatFindsTheTokenRevokedDropsItAtOnce()
    {
        cacheAndQueueRecheck();
        database.put(TOKEN, Optional.empty());
        runQueued();

        assertThat(cache.authenticate(TOKEN)).isEmpty();
        assertThat(lookups).hasValue(3);
    }

    @Test
    void anAnswerNeverOutlivesTheBoundWhenRechecksFail()
    {
        cacheAndQueueRecheck();
        databaseDown = true;
        runQueued();
        cache.authenticate(TOKEN);
        assertThat(queued).as("a failed recheck lets the next request queue another").hasSize(1);
        runQueued();

        advance(BOUND.dividedBy(2));
        assertThatThrownBy(() -> cache.authenticate(TOKEN)).hasMessage("the database is down");
        databaseDown = false;
        database.put(TOKEN, Optional.empty());
        assertThat(cache.authenticate(TOKEN)).isEmpty();
    }

    @Test
    void aRefusedTokenIsNotKept()
    {
        for (int request = 0; request < 3; request++) {
            assertThat(cache.authenticate("dpt_stranger")).isEmpty();
        }
        assertThat(lookups).hasValue(3);
    }

    @Test
    void aRecheckDoesNotBringBackAnEntryThatExpiredMeanwhile()
    {
        cacheAndQueueRecheck();
        advance(BOUND.dividedBy(2));
        database.put(TOKEN, Optional.empty());
        assertThat(cache.authenticate(TOKEN)).isEmpty();

        database.put(TOKEN, Optional.of(PRINCIPAL));
        runQueued();
        database.put(TOKEN, Optional.empty());
        assertThat(cache.authenticate(TOKEN)).as("the late recheck replaced nothing").isEmpty();
    }

    /** Caches the token, lets half the bound pass, and has a request queue its recheck. */
    private void cacheAndQueueRecheck()
    {
        assertThat(cache.authenticate(TOKEN)).contains(PRINCIPAL);
        advance(BOUND.dividedBy(2));
        assertThat(cache.authenticate(TOKEN)).contains(PRINCIPAL);
        assertThat(queued).hasSize(1);
    }

    private Optional<TenantPrincipal> lookUp(String token)
    {
        lookups.incrementAndGet();
        if (databaseDown) {
            throw new IllegalStateException("the database is down");
        }
        return database.getOrDefault(token, Optional.empty());
    }

    private void advance(Duration duration)
    {
        now.addAndGet(duration.toNanos());
    }

    private void runQueued()
    {
        List<Runnable> tasks = List.copyOf(queued);
        queued.clear();
        tasks.forEach(Runnable::run);
    }
}
