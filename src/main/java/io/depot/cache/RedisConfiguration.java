package io.depot.cache;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import redis.clients.jedis.util.JedisURIHelper;

import java.net.URI;
import java.net.URISyntaxException;

import static java.util.Objects.requireNonNullElse;

/** Redis for hot metadata, rate limits and idempotency keys; an empty {@code url} turns it off. */
public class RedisConfiguration
{
    /** redis://[[user]:password@]host:port[/db], rediss:// for TLS; empty = no Redis. */
    @NotNull
    private String url = "";

    @NotNull
    private Duration timeout = Duration.milliseconds(500);

    /** REDIS_BORROW_WAIT_MILLISECONDS: the longest a request waits for a pooled connection before it runs without Redis. */
    @NotNull
    private Duration borrowWait = Duration.milliseconds(200);

    @Min(1)
    private int maxConnections = 32;

    @NotNull
    private Duration metadataTtl = Duration.minutes(5);

    @NotNull
    private Duration idempotencyTtl = Duration.hours(24);

    @JsonIgnore
    public boolean isEnabled()
    {
        return !url.isBlank();
    }

    @ValidationMethod(message = "redis.url must be empty or redis://[[user]:password@]host[:port][/db] (rediss:// for TLS): check DEPOT_REDIS_URL")
    @JsonIgnore
    public boolean isUrlValid()
    {
        if (!isEnabled()) {
            return true;
        }
        try {
            URI uri = new URI(url);
            return (JedisURIHelper.isRedisScheme(uri) || JedisURIHelper.isRedisSSLScheme(uri)) && uri.getHost() != null
                    && (uri.getUserInfo() == null || uri.getUserInfo().contains(":")) && uri.getPath().matches("/?|/\\d+");
        }
        catch (URISyntaxException e) {
            return false;
        }
    }

    @JsonProperty
    public String getUrl()
    {
        return url;
    }

    @JsonProperty
    public void setUrl(String url)
    {
        // An unset variable substitutes to an empty YAML value, which Jackson reads as null.
        this.url = requireNonNullElse(url, "");
    }

    @JsonProperty
    public Duration getTimeout()
    {
        return timeout;
    }

    @JsonProperty
    public void setTimeout(Duration timeout)
    {
        this.timeout = timeout;
    }

    @JsonProperty
    public Duration getBorrowWait()
    {
        return borrowWait;
    }

    @JsonProperty
    public void setBorrowWait(Duration borrowWait)
    {
        this.borrowWait = borrowWait;
    }

    @JsonProperty
    public int getMaxConnections()
    {
        return maxConnections;
    }

    @JsonProperty
    public void setMaxConnections(int maxConnections)
    {
        this.maxConnections = maxConnections;
    }

    @JsonProperty
    public Duration getMetadataTtl()
    {
        return metadataTtl;
    }

    @JsonProperty
    public void setMetadataTtl(Duration metadataTtl)
    {
        this.metadataTtl = metadataTtl;
    }

    @JsonProperty
    public Duration getIdempotencyTtl()
    {
        return idempotencyTtl;
    }

    @JsonProperty
    public void setIdempotencyTtl(Duration idempotencyTtl)
    {
        this.idempotencyTtl = idempotencyTtl;
    }
}
