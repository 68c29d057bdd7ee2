package io.depot.health;

import io.depot.cache.RedisGateway;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** Redis trouble degrades the service, it never makes it unready. */
public class RedisStatus
{
    private final RedisGateway redis;

    public RedisStatus(RedisGateway redis)
    {
        this.redis = requireNonNull(redis, "redis is null");
    }

    public List<String> degraded()
    {
        if (!redis.isEnabled()) {
            return List.of("redis: not configured");
        }
        return redis.isAvailable() ? List.of() : List.of("redis: unreachable, cache bypassed and rate limits open");
    }
}
