package io.depot.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import redis.clients.jedis.params.SetParams;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Idempotency keys: the first request with a key claims it, its response is stored, and a retry
 * with the same key and tenant gets that response back. Without Redis, requests run unguarded.
 * A stored answer keeps the first request's fingerprint and, for a streamed body that the
 * fingerprint leaves out, the body's SHA-256 (never the body itself).
 */
public class IdempotencyStore
{
    /** A stored answer; {@code pending} while the first request is still running; {@code bodySha256} null when the body is in the fingerprint. */
    public record Entry(String fingerprint, boolean pending, String bodySha256, int status, String location, String body) {}

    public sealed interface Claim {}

    public record Claimed(String redisKey) implements Claim {}

    public record Replay(Entry entry) implements Claim {}

    public record InProgress() implements Claim {}

    public record Mismatch() implements Claim {}

    public record Unguarded() implements Claim {}

    private static final long PENDING_SECONDS = 15 * 60;

    private final RedisGateway redis;
    private final RedisJson<Entry> codec;
    private final long ttlSeconds;

    public IdempotencyStore(RedisGateway redis, ObjectMapper json, long ttlSeconds)
    {
        this.redis = requireNonNull(redis, "redis is null");
        this.codec = new RedisJson<>(json, Entry.class);
        this.ttlSeconds = ttlSeconds;
    }

    public Claim claim(String tenant, String key, String fingerprint)
    {
        String redisKey = "depot:idem:" + tenant + ":" + key;
        String pending = codec.write(new Entry(fingerprint, true, null, 0, null, null));
        Optional<String> claimed = redis.call(client -> client.set(redisKey, pending, SetParams.setParams().nx().ex(PENDING_SECONDS)));
        if (claimed.isPresent()) {
            return new Claimed(redisKey);
        }
        Optional<String> existing = redis.call(client -> client.get(redisKey));
        if (existing.isEmpty()) {
            // Redis is down, or the key expired between the two calls: either way run unguarded.
            return new Unguarded();
        }
        Entry entry = codec.read(existing.get());
        if (entry == null || !entry.fingerprint().equals(fingerprint)) {
            return new Mismatch();
        }
        return entry.pending() ? new InProgress() : new Replay(entry);
    }

    public void complete(Claimed claim, String fingerprint, String bodySha256, int status, String location, String body)
    {
        String value = codec.write(new Entry(fingerprint, false, bodySha256, status, location, body));
        redis.call(client -> client.set(claim.redisKey(), value, SetParams.setParams().ex(ttlSeconds)));
    }

    /** The first request failed: free the key so that a retry can run. */
    public void release(Claimed claim)
    {
        redis.call(client -> client.del(claim.redisKey()));
    }
}
