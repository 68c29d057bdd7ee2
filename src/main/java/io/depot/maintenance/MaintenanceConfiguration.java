package io.depot.maintenance;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

/** Background work: retrying object deletions and removing objects that no row points at. */
public class MaintenanceConfiguration
{
    @NotNull
    private Duration outboxInterval = Duration.seconds(30);

    @NotNull
    private Duration reconcileInterval = Duration.minutes(10);

    /** An object with no row is removed only once it is older than this (uploads in flight are younger). */
    @NotNull
    private Duration orphanAge = Duration.hours(1);

    @JsonProperty
    public Duration getOutboxInterval()
    {
        return outboxInterval;
    }

    @JsonProperty
    public void setOutboxInterval(Duration outboxInterval)
    {
        this.outboxInterval = outboxInterval;
    }

    @JsonProperty
    public Duration getReconcileInterval()
    {
        return reconcileInterval;
    }

    @JsonProperty
    public void setReconcileInterval(Duration reconcileInterval)
    {
        this.reconcileInterval = reconcileInterval;
    }

    @JsonProperty
    public Duration getOrphanAge()
    {
        return orphanAge;
    }

    @JsonProperty
    public void setOrphanAge(Duration orphanAge)
    {
        this.orphanAge = orphanAge;
    }
}
