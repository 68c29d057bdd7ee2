package io.depot.health;

import com.codahale.metrics.health.HealthCheck;

import static java.util.Objects.requireNonNull;

/** Dropwizard's /healthcheck view of readiness, for operators on the admin port. */
public class ReadinessHealthCheck
        extends HealthCheck
{
    private final Readiness readiness;

    public ReadinessHealthCheck(Readiness readiness)
    {
        this.readiness = requireNonNull(readiness, "readiness is null");
    }

    @Override
    protected Result check()
    {
        Readiness.State state = readiness.current();
        return state.ready() ? Result.healthy() : Result.unhealthy(state.problems().toString());
    }
}
