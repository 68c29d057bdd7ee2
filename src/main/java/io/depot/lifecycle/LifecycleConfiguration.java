package io.depot.lifecycle;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

/**
 * How the process leaves and joins the load balancer. The drain window and the upload finish
 * window come from lifecycle.env (checked by scripts/check-consistency); the grace period is Jetty's
 * {@code server.shutdownGracePeriod}.
 */
public class LifecycleConfiguration
{
    /** After SIGTERM: /ready is 503 and the application keeps serving this long. */
    @NotNull
    private Duration drainWindow = Duration.seconds(12);

    /**
     * After the drain window, with the listeners closed: uploads still in flight get up to this
     * long to finish before the process stops, so a colour switch does not cut a long upload.
     */
    @NotNull
    private Duration uploadFinishWindow = Duration.seconds(90);

    /** How often readiness (database, bucket, pending changesets) is re-evaluated. */
    @NotNull
    private Duration readinessInterval = Duration.seconds(1);

    @JsonProperty
    public Duration getDrainWindow()
    {
        return drainWindow;
    }

    @JsonProperty
    public void setDrainWindow(Duration drainWindow)
    {
        this.drainWindow = drainWindow;
    }

    @JsonProperty
    public Duration getUploadFinishWindow()
    {
        return uploadFinishWindow;
    }

    @JsonProperty
    public void setUploadFinishWindow(Duration uploadFinishWindow)
    {
        this.uploadFinishWindow = uploadFinishWindow;
    }

    @JsonProperty
    public Duration getReadinessInterval()
    {
        return readinessInterval;
    }

    @JsonProperty
    public void setReadinessInterval(Duration readinessInterval)
    {
        this.readinessInterval = readinessInterval;
    }
}
