package io.depot;

import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

/** Background work: retrying object deletions and removing objects that no row points at. */
public class MaintenanceConfiguration
{
    @NotNull
    public Duration outboxInterval = Duration.seconds(30);

    @NotNull
    public Duration reconcileInterval = Duration.minutes(10);

    /** An object with no row is removed only once it is older than this (uploads in flight are younger). */
    @NotNull
    public Duration orphanAge = Duration.hours(1);
}
