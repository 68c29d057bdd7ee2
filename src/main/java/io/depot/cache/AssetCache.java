package io.depot.cache;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.core.JsonProcessingException;
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
    private final ObjectMapper json;
    private final long ttlSeconds;
    private final Meter hits;
    private final Meter misses;

    public AssetCache(RedisGateway redis, ObjectMapper json, io.dropwizard.util.Duration ttl, MetricRegistry metrics)
    {
        this.redis = requireNonNull(redis, "redis is null");
        this.json = requireNonNull(json, "json is null");
        this.ttlSeconds = ttl.toSeconds();
        this.hits = metrics.meter("depot.cache.hits");
        this.misses = metrics.meter("depot.cache.misses");
    }

    public Optional<Asset> get(String tenant, UUID id, Supplier<Optional<Asset>> loader)
    {
        String key = key(tenant, id);
        Optional<Asset> cached = redis.call(client -> client.get(key)).map(this::decode);
        if (cached.isPresent()) {
            hits.mark();
            return cached;
        }
        misses.mark();
        Optional<Asset> loaded = loader.get();
        loaded.ifPresent(asset -> redis.call(client -> client.set(key, encode(asset), SetParams.setParams().ex(ttlSeconds))));
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

    private String encode(Asset asset)
    {
        try {
            return json.writeValueAsString(asset);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("an Asset always serialises", e);
        }
    }

    private Asset decode(String value)
    {
        try {
            return json.readValue(value, Asset.class);
        }
        catch (JsonProcessingException e) {
            // An entry written by another release's format: treat as a miss.
            return null;
        }
    }
}
