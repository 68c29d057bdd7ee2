package io.depot.cache;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.api.Asset;
import redis.clients.jedis.params.SetParams;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Read-through cache of asset metadata, keyed by tenant so one tenant can never read another's entry.
 * <p>
 * A delete is final here too: {@link #invalidate} overwrites the entry with a tombstone that lives
 * as long as an entry, and a read-through only adds an entry where there is none (SET NX). A reader
 * that loaded the row just before the delete committed therefore cannot write it back after the
 * tombstone; and a load slower than half the TTL is not cached at all, so the tombstone outlives any
 * write a racing reader can still make. Asset ids are never reused, so a tombstone is simply "not found".
 * A tombstone that Redis could not take is kept here and written before this instance reads Redis again.
 */
public class AssetCache
{
    private static final String TOMBSTONE = "deleted";

    private final RedisGateway redis;
    private final RedisJson<Asset> codec;
    private final long ttlSeconds;
    private final long slowestCachedLoadNanos;
    private final Set<String> pendingTombstones = ConcurrentHashMap.newKeySet();
    private final Meter hits;
    private final Meter misses;

    public AssetCache(RedisGateway redis, ObjectMapper json, io.dropwizard.util.Duration ttl, MetricRegistry metrics)
    {
        this.redis = requireNonNull(redis, "redis is null");
        this.codec = new RedisJson<>(json, Asset.class);
        this.ttlSeconds = ttl.toSeconds();
        this.slowestCachedLoadNanos = ttl.toNanoseconds() / 2;
        this.hits = metrics.meter("depot.cache.hits");
        this.misses = metrics.meter("depot.cache.misses");
    }

    public Optional<Asset> get(String tenant, UUID id, Supplier<Optional<Asset>> loader)
    {
        String key = key(tenant, id);
        Optional<String> cached = writePendingTombstones() ? redis.call(client -> client.get(key)) : Optional.empty();
        if (cached.isPresent() && cached.get().equals(TOMBSTONE)) {
            hits.mark();
            return Optional.empty();
        }
        Optional<Asset> entry = cached.map(codec::read);
        if (entry.isPresent()) {
            hits.mark();
            return entry;
        }
        misses.mark();
        long loadStarted = System.nanoTime();
        Optional<Asset> loaded = loader.get();
        if (loaded.isPresent() && System.nanoTime() - loadStarted < slowestCachedLoadNanos) {
            redis.call(client -> client.set(key, codec.write(loaded.get()), SetParams.setParams().nx().ex(ttlSeconds)));
        }
        return loaded;
    }

    /** Called once the row is gone: from now on no reader, on any instance, gets the entry back. */
    public void invalidate(String tenant, UUID id)
    {
        String key = key(tenant, id);
        if (!writeTombstone(key)) {
            pendingTombstones.add(key);
        }
    }

    /** Whether every tombstone this instance owes Redis is written, so a read from Redis is safe. */
    private boolean writePendingTombstones()
    {
        if (pendingTombstones.isEmpty()) {
            return true;
        }
        for (String key : pendingTombstones) {
            if (!writeTombstone(key)) {
                return false;
            }
            pendingTombstones.remove(key);
        }
        return true;
    }

    private boolean writeTombstone(String key)
    {
        return redis.call(client -> client.set(key, TOMBSTONE, SetParams.setParams().ex(ttlSeconds))).isPresent();
    }

    private static String key(String tenant, UUID id)
    {
        return "depot:asset:" + tenant + ":" + id;
    }
}
