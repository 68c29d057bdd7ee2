package io.depot;

import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

/** Redis for hot metadata, rate limits and idempotency keys; an empty {@code url} turns it off. */
public class RedisConfiguration
{
    /** redis://[:password@]host:port[/db], rediss:// for TLS; empty = no Redis. */
    public String url = "";

    @NotNull
    public Duration timeout = Duration.milliseconds(500);

    @NotNull
    public Duration metadataTtl = Duration.minutes(5);

    @NotNull
    public Duration idempotencyTtl = Duration.hours(24);

    public boolean isEnabled()
    {
        return url != null && !url.isBlank();
    }
}
