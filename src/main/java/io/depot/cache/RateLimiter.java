package io.depot.cache;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * Fixed-window request counter per token in Redis, shared by the whole fleet, against the limit
 * the caller says applies to the token (its own, or the configured one). While Redis is down (or
 * not configured) each instance counts in its own memory with the same limit: a token may then
 * make up to the limit on every instance, so no client is held tighter than with Redis, and yet
 * no token held to the configured limit can take one instance's whole capacity. The counts do not
 * move between the two: a window that straddles an outage starts again from zero on the other side.
 */
public class RateLimiter
{
    // One round trip: the count and the window's expiry set together, atomically, as MULTI/EXEC did in three.
    private static final String INCREMENT = "local count = redis.call('INCR', KEYS[1]) "
            + "if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return count";

    public record Decision(boolean allowed, long limit, long retryAfterSeconds) {}

    private final RedisGateway redis;
    private final Clock clock;
    private final long windowSeconds;
    private final Meter rejections;
    private final Meter localDecisions;
    // Token id -> {window, count} while Redis is unreachable; only authenticated tokens get here, so it is bounded by the tokens there are.
    private final Map<UUID, long[]> localCounts = new ConcurrentHashMap<>();

    public RateLimiter(RedisGateway redis, Clock clock, long windowSeconds, MetricRegistry metrics)
    {
        this.redis = requireNonNull(redis, "redis is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.windowSeconds = windowSeconds;
        this.rejections = metrics.meter("depot.ratelimit.rejections");
        this.localDecisions = metrics.meter("depot.ratelimit.local");
    }

    /** Counts a request of the token; refused past limit requests in the current window. */
    public Decision acquire(UUID tokenId, long limit)
    {
        long now = clock.instant().getEpochSecond();
        long window = now / windowSeconds;
        long retryAfter = (window + 1) * windowSeconds - now;
        String key = "depot:rate:" + tokenId + ":" + window;
        Long count = redis.call(client -> (Long) client.eval(INCREMENT, List.of(key), List.of(String.valueOf(windowSeconds + 1))))
                .orElseGet(() -> countLocally(tokenId, window));
        if (count > limit) {
            rejections.mark();
            return new Decision(false, limit, Math.max(1, retryAfter));
        }
        return new Decision(true, limit, 0);
    }

    private long countLocally(UUID tokenId, long window)
    {
        localDecisions.mark();
        return localCounts.compute(tokenId, (id, state) -> state == null || state[0] != window ? new long[] {window, 1} : new long[] {window, state[1] + 1})[1];
    }
}
