package io.depot.cache;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Redis is an accelerator, never a dependency: every call either answers or returns empty. While
 * Redis is down, calls skip it for a short back-off instead of each waiting for a timeout, and
 * the state change is logged once per transition rather than once per request.
 */
public class RedisGateway
        implements Managed
{
    private static final Logger log = LoggerFactory.getLogger(RedisGateway.class);
    private static final Duration BACK_OFF = Duration.ofSeconds(1);

    private final UnifiedJedis client;
    private final Clock clock;
    private final Counter failures;
    private volatile boolean available = true;
    private volatile Instant skipUntil = Instant.MIN;

    public RedisGateway(RedisConfiguration configuration, MetricRegistry metrics, Clock clock)
    {
        requireNonNull(configuration, "configuration is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.client = configuration.isEnabled() ? connect(URI.create(configuration.getUrl()), (int) configuration.getTimeout().toMilliseconds(), pool(configuration)) : null;
        this.failures = metrics.counter("depot.redis.failures");
        metrics.gauge("depot.redis.available", () -> () -> isAvailable() ? 1 : 0);
        if (client == null) {
            log.warn("Redis is not configured: the metadata cache is off, rate limits are counted per instance, idempotency keys are not enforced");
        }
    }

    /** A request never waits long for a connection: when the pool is empty past the borrow wait, it runs without Redis. */
    private static ConnectionPoolConfig pool(RedisConfiguration configuration)
    {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(configuration.getMaxConnections());
        pool.setMaxIdle(configuration.getMaxConnections());
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(configuration.getBorrowWait().toJavaDuration());
        return pool;
    }

    /** Jedis reads redis[s]://[[user]:password@]host[:port][/db]; the timeouts and the default port are Depot's. */
    private static UnifiedJedis connect(URI uri, int timeoutMillis, ConnectionPoolConfig pool)
    {
        JedisClientConfig config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeoutMillis)
                .socketTimeoutMillis(timeoutMillis)
                .user(JedisURIHelper.getUser(uri))
                .password(JedisURIHelper.getPassword(uri))
                .database(JedisURIHelper.getDBIndex(uri))
                .protocol(JedisURIHelper.getRedisProtocol(uri))
                .ssl(JedisURIHelper.isRedisSSLScheme(uri))
                .build();
        HostAndPort address = new HostAndPort(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : Protocol.DEFAULT_PORT);
        return RedisClient.builder().hostAndPort(address).clientConfig(config).poolConfig(pool).build();
    }

    public boolean isEnabled()
    {
        return client != null;
    }

    public boolean isAvailable()
    {
        return client != null && available;
    }

    /** Runs {@code command}; empty when Redis is off, down or backing off. */
    public <T> Optional<T> call(Function<UnifiedJedis, T> command)
    {
        if (client == null || clock.instant().isBefore(skipUntil)) {
            return Optional.empty();
        }
        try {
            T result = command.apply(client);
            if (!available) {
                available = true;
                log.info("Redis is reachable again: cache, rate limits and idempotency keys are back on");
            }
            return Optional.ofNullable(result);
        }
        catch (JedisException e) {
            failures.inc();
            skipUntil = clock.instant().plus(BACK_OFF);
            if (available) {
                available = false;
                log.warn("Redis is unreachable, running degraded (cache bypassed, rate limits counted per instance): {}", e.toString());
            }
            return Optional.empty();
        }
    }

    /** A PING that ignores the back-off, for health checks and the predeploy check. */
    public boolean ping()
    {
        if (client == null) {
            return false;
        }
        skipUntil = Instant.MIN;
        return call(UnifiedJedis::ping).isPresent();
    }

    @Override
    public void stop()
    {
        if (client != null) {
            client.close();
        }
    }
}
