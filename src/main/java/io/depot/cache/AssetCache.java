package io.depot.cache;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.api.Asset;
import redis.clients.jedis.params.SetParams;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/** Read-through cache of asset metadata, keyed by tenant so one tenant can never read another's entry. */
public class AssetCache
{
    private final RedisGateway redis;
    private final RedisJson<Asset> codec;
    private final long ttlSeconds;
    private final Meter hits;
    private final Meter misses;

    public AssetCache(RedisGateway redis, ObjectMapper json, io.dropwizard.util.Duration ttl, MetricRegistry metrics)
    {
        this.redis = requireNonNull(redis, "redis is null");
        this.codec = new RedisJson<>(json, Asset.class);
        this.ttlSeconds = ttl.toSeconds();
        this.hits = metrics.meter("depot.cache.hits");
        this.misses = metrics.meter("depot.cache.misses");
    }

    public Optional<Asset> get(String tenant, UUID id, Supplier<Optional<Asset>> loader)
    {
        String key = key(tenant, id);
        Optional<Asset> cached = redis.call(client -> client.get(key)).map(codec::read);
        if (cached.isPresent()) {
            hits.mark();
            return cached;
        }
        misses.mark();
        Optional<Asset> loaded = loader.get();
        loaded.ifPresent(asset -> redis.call(client -> client.set(key, codec.write(asset), SetParams.setParams().ex(ttlSeconds))));
        return loaded;
    }

    public void invalidate(String tenant, UUID id)
    {
        redis.call(client -> client.del(key(tenant, id)));
    }

    private static String key(String tenant, UUID id)
    {
        return "depot:asset:" + tenant + ":" + id;
    }
}
