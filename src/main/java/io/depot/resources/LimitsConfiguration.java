package io.depot.resources;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** What one client may ask of the API: file size, request rate and page size. */
public class LimitsConfiguration
{
    /** Largest file accepted; nginx's client_max_body_size is the same number. */
    @NotNull
    private DataSize uploadLimit = DataSize.gibibytes(1);

    /** Requests one token may make per window before it gets 429. */
    @Min(1)
    private int requestsPerWindow = 1200;

    @NotNull
    private Duration rateLimitWindow = Duration.minutes(1);

    @Min(1)
    private int defaultPageSize = 50;

    @Min(1)
    private int maxPageSize = 200;

    @JsonProperty
    public DataSize getUploadLimit()
    {
        return uploadLimit;
    }

    @JsonProperty
    public void setUploadLimit(DataSize uploadLimit)
    {
        this.uploadLimit = uploadLimit;
    }

    @JsonProperty
    public int getRequestsPerWindow()
    {
        return requestsPerWindow;
    }

    @JsonProperty
    public void setRequestsPerWindow(int requestsPerWindow)
    {
        this.requestsPerWindow = requestsPerWindow;
    }

    @JsonProperty
    public Duration getRateLimitWindow()
    {
        return rateLimitWindow;
    }

    @JsonProperty
    public void setRateLimitWindow(Duration rateLimitWindow)
    {
        this.rateLimitWindow = rateLimitWindow;
    }

    @JsonProperty
    public int getDefaultPageSize()
    {
        return defaultPageSize;
    }

    @JsonProperty
    public void setDefaultPageSize(int defaultPageSize)
    {
        this.defaultPageSize = defaultPageSize;
    }

    @JsonProperty
    public int getMaxPageSize()
    {
        return maxPageSize;
    }

    @JsonProperty
    public void setMaxPageSize(int maxPageSize)
    {
        this.maxPageSize = maxPageSize;
    }
}
