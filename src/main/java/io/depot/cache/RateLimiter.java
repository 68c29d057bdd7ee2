package io.depot.cache;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/** Fixed-window request counter per token in Redis, shared by the whole fleet; fails open when Redis is down. */
public class RateLimiter
{
    // One round trip: the count and the window's expiry set together, atomically, as MULTI/EXEC did in three.
    private static final String INCREMENT = "local count = redis.call('INCR', KEYS[1]) "
            + "if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return count";

    public record Decision(boolean allowed, long limit, long retryAfterSeconds) {}

    private final RedisGateway redis;
    private final Clock clock;
    private final long limit;
    private final long windowSeconds;
    private final Meter rejections;

    public RateLimiter(RedisGateway redis, Clock clock, long limit, long windowSeconds, MetricRegistry metrics)
    {
        this.redis = requireNonNull(redis, "redis is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.limit = limit;
        this.windowSeconds = windowSeconds;
        this.rejections = metrics.meter("depot.ratelimit.rejections");
    }

    public Decision acquire(UUID tokenId)
    {
        long now = clock.instant().getEpochSecond();
        long window = now / windowSeconds;
        long retryAfter = (window + 1) * windowSeconds - now;
        String key = "depot:rate:" + tokenId + ":" + window;
        Long count = redis.call(client -> (Long) client.eval(INCREMENT, List.of(key), List.of(String.valueOf(windowSeconds + 1)))).orElse(null);
        if (count == null) {
            return new Decision(true, limit, 0);
        }
        if (count > limit) {
            rejections.mark();
            return new Decision(false, limit, Math.max(1, retryAfter));
        }
        return new Decision(true, limit, 0);
    }
}
