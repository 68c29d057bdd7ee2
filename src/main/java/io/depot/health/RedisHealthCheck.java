package io.depot.health;

import com.codahale.metrics.health.HealthCheck;
import io.depot.cache.RedisGateway;

import static java.util.Objects.requireNonNull;

/** Reports Redis for operators; readiness deliberately ignores it (degraded, not unready). */
public class RedisHealthCheck
        extends HealthCheck
{
    private final RedisGateway redis;

    public RedisHealthCheck(RedisGateway redis)
    {
        this.redis = requireNonNull(redis, "redis is null");
    }

    @Override
    protected Result check()
    {
        if (!redis.isEnabled()) {
            return Result.healthy("not configured: running without cache, rate limits and idempotency keys");
        }
        return redis.ping() ? Result.healthy() : Result.unhealthy("unreachable: degraded (cache bypassed, rate limits open)");
    }
}
