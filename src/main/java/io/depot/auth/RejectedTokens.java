package io.depot.auth;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * Hashes of well-formed tokens the database did not know, remembered for a while, so that a
 * flood of fake tokens costs at most one database lookup per token per TTL instead of one per
 * request. Only a definite "unknown" is remembered, never a failed lookup. A real token is never
 * presented before it exists (it is 256 random bits), so remembering its hash cannot lock it out.
 */
public class RejectedTokens
{
    /** About 20 MiB of heap at most; past it the oldest are forgotten and cost a lookup again. */
    public static final long MAXIMUM_SIZE = 100_000;

    private final Cache<String, Boolean> rejected;
    private final Meter hits;

    public RejectedTokens(Duration ttl, long maximumSize, MetricRegistry metrics)
    {
        requireNonNull(ttl, "ttl is null");
        this.rejected = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maximumSize).build();
        this.hits = metrics.meter("depot.auth.rejected.remembered");
        metrics.gauge("depot.auth.rejected.size", () -> rejected::estimatedSize);
    }

    public boolean recentlyRejected(String tokenHash)
    {
        boolean known = rejected.getIfPresent(tokenHash) != null;
        if (known) {
            hits.mark();
        }
        return known;
    }

    public void remember(String tokenHash)
    {
        rejected.put(tokenHash, Boolean.TRUE);
    }
}
