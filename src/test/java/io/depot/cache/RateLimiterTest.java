package io.depot.cache;

import com.codahale.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Without Redis the limit still holds, counted in this instance's memory. */
class RateLimiterTest
{
    @Test
    void withoutRedisEachTokenIsCountedLocallyPerWindow()
    {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:10Z"));
        MetricRegistry metrics = new MetricRegistry();
        RedisConfiguration noRedis = new RedisConfiguration();
        noRedis.setUrl("");
        RateLimiter limiter = new RateLimiter(new RedisGateway(noRedis, metrics, clock), clock, 3, 60, metrics);
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        for (int request = 0; request < 3; request++) {
            assertThat(limiter.acquire(first).allowed()).isTrue();
        }
        RateLimiter.Decision refused = limiter.acquire(first);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(50);
        assertThat(limiter.acquire(second).allowed()).as("another token has its own count").isTrue();

        clock.now = Instant.parse("2026-01-01T00:01:00Z");
        assertThat(limiter.acquire(first).allowed()).as("a new window starts from zero").isTrue();
        assertThat(metrics.meter("depot.ratelimit.local").getCount()).isEqualTo(6);
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
