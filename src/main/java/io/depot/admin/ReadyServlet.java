package io.depot.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.health.Readiness;
import io.depot.health.RedisStatus;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/** The load balancer's target: 200 only while ready and not draining. */
public class ReadyServlet
        extends JsonServlet
{
    private static final long serialVersionUID = 1L;

    private final transient Readiness readiness;
    private final transient RedisStatus redis;

    public ReadyServlet(ObjectMapper json, Readiness readiness, RedisStatus redis)
    {
        super(json);
        this.readiness = requireNonNull(readiness, "readiness is null");
        this.redis = requireNonNull(redis, "redis is null");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws IOException
    {
        Readiness.State state = readiness.current();
        write(response, state.ready() ? 200 : 503, Map.of(
                "ready", state.ready(),
                "problems", state.problems(),
                "degraded", redis.degraded()));
    }
}
