package io.depot.cache;

import com.codahale.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Without Redis the limit each token is given still holds, counted in this instance's memory. */
class RateLimiterTest
{
    @Test
    void withoutRedisEachTokenIsCountedLocallyPerWindow()
    {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:10Z"));
        MetricRegistry metrics = new MetricRegistry();
        RateLimiter limiter = withoutRedis(clock, metrics);
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        for (int request = 0; request < 3; request++) {
            assertThat(limiter.acquire(first, 3).allowed()).isTrue();
        }
        RateLimiter.Decision refused = limiter.acquire(first, 3);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(50);
        assertThat(limiter.acquire(second, 3).allowed()).as("another token has its own count").isTrue();

        clock.now = Instant.parse("2026-01-01T00:01:00Z");
        assertThat(limiter.acquire(first, 3).allowed()).as("a new window starts from zero").isTrue();
        assertThat(metrics.meter("depot.ratelimit.local").getCount()).isEqualTo(6);
    }

    @Test
    void eachTokenIsHeldToTheLimitItIsGivenAndTheRefusalNamesIt()
    {
        RateLimiter limiter = withoutRedis(new MutableClock(Instant.parse("2026-01-01T00:00:10Z")), new MetricRegistry());
        UUID tight = UUID.randomUUID();
        UUID loose = UUID.randomUUID();
        assertThat(limiter.acquire(tight, 1).allowed()).isTrue();
        assertThat(limiter.acquire(tight, 1)).isEqualTo(new RateLimiter.Decision(false, 1, 50));
        for (int request = 0; request < 5; request++) {
            assertThat(limiter.acquire(loose, 5).allowed()).as("request %d of a token allowed 5", request + 1).isTrue();
        }
        assertThat(limiter.acquire(loose, 5)).isEqualTo(new RateLimiter.Decision(false, 5, 50));
    }

    private static RateLimiter withoutRedis(Clock clock, MetricRegistry metrics)
    {
        RedisConfiguration noRedis = new RedisConfiguration();
        noRedis.setUrl("");
        return new RateLimiter(new RedisGateway(noRedis, metrics, clock), clock, 60, metrics);
    }

    private static final class MutableClock
            extends Clock
    {
        private Instant now;

        MutableClock(Instant now)
        {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone()
        {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone)
        {
            return this;
        }

        @Override
        public Instant instant()
        {
            return now;
        }
    }
}
