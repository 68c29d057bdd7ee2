package io.depot.resources;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** What one client may ask of the API: file size, request rate, uploads at once, page size; and the memory all uploads share. */
public class LimitsConfiguration
{
    /** The page sizes unless configured otherwise; the OpenAPI document states them. */
    public static final int DEFAULT_PAGE_SIZE = 50;
    public static final int DEFAULT_MAX_PAGE_SIZE = 200;

    /** Largest file accepted; nginx's client_max_body_size is the same number. */
    @NotNull
    private DataSize uploadLimit = DataSize.gibibytes(1);

    /** Requests one token may make per window before it gets 429, unless it was created with a limit of its own. */
    @Min(1)
    private int requestsPerWindow = 1200;

    @NotNull
    private Duration rateLimitWindow = Duration.minutes(1);

    /** Heap all uploads in flight share, as part-sized buffers (storage.partSize): one per upload. */
    @NotNull
    private DataSize uploadBufferBudget = DataSize.mebibytes(256);

    /** How long an upload waits for a buffer when the budget is spent, before it gets 503. */
    @NotNull
    private Duration uploadBufferWait = Duration.milliseconds(500);

    /** Uploads one tenant may have in flight at once before it gets 429. */
    @Min(1)
    private int uploadsPerTenant = 8;

    /** How long a token the database did not know is answered 401 without asking it again. */
    @NotNull
    private Duration rejectedTokenTtl = Duration.minutes(1);

    @Min(1)
    private int defaultPageSize = DEFAULT_PAGE_SIZE;

    @Min(1)
    private int maxPageSize = DEFAULT_MAX_PAGE_SIZE;

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
    public DataSize getUploadBufferBudget()
    {
        return uploadBufferBudget;
    }

    @JsonProperty
    public void setUploadBufferBudget(DataSize uploadBufferBudget)
    {
        this.uploadBufferBudget = uploadBufferBudget;
    }

    @JsonProperty
    public Duration getUploadBufferWait()
    {
        return uploadBufferWait;
    }

    @JsonProperty
    public void setUploadBufferWait(Duration uploadBufferWait)
    {
        this.uploadBufferWait = uploadBufferWait;
    }

    @JsonProperty
    public int getUploadsPerTenant()
    {
        return uploadsPerTenant;
    }

    @JsonProperty
    public void setUploadsPerTenant(int uploadsPerTenant)
    {
        this.uploadsPerTenant = uploadsPerTenant;
    }

    @JsonProperty
    public Duration getRejectedTokenTtl()
    {
        return rejectedTokenTtl;
    }

    @JsonProperty
    public void setRejectedTokenTtl(Duration rejectedTokenTtl)
    {
        this.rejectedTokenTtl = rejectedTokenTtl;
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
