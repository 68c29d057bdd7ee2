package io.depot.auth;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.github.benmanes.caffeine.cache.Ticker;
import io.dropwizard.auth.Authenticator;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Bearer tokens: how long an instance may keep answering for a token without asking PostgreSQL again. */
public class AuthConfiguration
{
    /**
     * The revocation bound: a token revoked in the database is refused by every instance within
     * this long (each keeps the tokens it has checked for at most this long). Zero checks every request.
     */
    @NotNull
    @MaxDuration(value = 1, unit = TimeUnit.MINUTES)
    private Duration tokenCacheTtl = Duration.seconds(5);

    /** Distinct tokens kept per instance; beyond it the least recently used are checked again. */
    @Min(1)
    private int tokenCacheSize = 10_000;

    /**
     * The token check a request pays: {@code tokens} behind a {@link TokenCache} of accepted
     * tokens for {@link #tokenCacheTtl}, checked again on {@code rechecks} past half of it.
     */
    public Authenticator<String, TenantPrincipal> build(TokenAuthenticator tokens, Executor rechecks, MetricRegistry metrics)
    {
        if (tokenCacheTtl.toNanoseconds() == 0) {
            return tokens;
        }
        return new TokenCache(tokens::authenticate, tokenCacheTtl.toJavaDuration(), tokenCacheSize, rechecks, Ticker.systemTicker(), metrics);
    }

    @JsonProperty
    public Duration getTokenCacheTtl()
    {
        return tokenCacheTtl;
    }

    @JsonProperty
    public void setTokenCacheTtl(Duration tokenCacheTtl)
    {
        this.tokenCacheTtl = tokenCacheTtl;
    }

    @JsonProperty
    public int getTokenCacheSize()
    {
        return tokenCacheSize;
    }

    @JsonProperty
    public void setTokenCacheSize(int tokenCacheSize)
    {
        this.tokenCacheSize = tokenCacheSize;
    }
}
