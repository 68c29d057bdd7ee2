package io.depot.storage;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.DataSizeUnit;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNullElse;

/**
 * The S3 bucket that holds the bytes. {@code endpoint} and {@code pathStyle} exist for
 * S3-compatible servers; on AWS both stay unset and credentials come from the instance profile.
 */
public class StorageConfiguration
{
    @NotBlank
    private String bucket;

    @NotBlank
    private String region = "us-east-1";

    /** Empty means AWS's own endpoint for the region. */
    @NotNull
    private String endpoint = "";

    private boolean pathStyle;

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @MaxDuration(value = 7, unit = TimeUnit.DAYS)
    private Duration presignTtl = Duration.seconds(300);

    /** Parts of a multipart upload; also the most one upload holds in memory. S3's minimum is 5 MiB. */
    @NotNull
    @MinDataSize(value = 5, unit = DataSizeUnit.MEBIBYTES)
    private DataSize partSize = DataSize.mebibytes(8);

    /**
     * Parts of one upload on their way to S3 while the next is read, each in its own buffer
     * from the upload buffer budget: an upload holds up to this many part sizes in memory. One
     * by default: a part's failure is then answered before the client must send another part.
     */
    @Min(1)
    @Max(16)
    private int partsInFlight = 1;

    /** S3_CALL_TIMEOUT_SECONDS: one S3 call with all its retries ends within this. */
    @NotNull
    private Duration callTimeout = Duration.seconds(15);

    /** S3_ATTEMPT_TIMEOUT_SECONDS: one try of an S3 call ends within this. */
    @NotNull
    private Duration attemptTimeout = Duration.seconds(10);

    @JsonProperty
    public String getBucket()
    {
        return bucket;
    }

    @JsonProperty
    public void setBucket(String bucket)
    {
        this.bucket = bucket;
    }

    @JsonProperty
    public String getRegion()
    {
        return region;
    }

    @JsonProperty
    public void setRegion(String region)
    {
        this.region = region;
    }

    @JsonProperty
    public String getEndpoint()
    {
        return endpoint;
    }

    @JsonProperty
    public void setEndpoint(String endpoint)
    {
        // An unset variable substitutes to an empty YAML value, which Jackson reads as null.
        this.endpoint = requireNonNullElse(endpoint, "");
    }

    @JsonProperty
    public boolean isPathStyle()
    {
        return pathStyle;
    }

    @JsonProperty
    public void setPathStyle(boolean pathStyle)
    {
        this.pathStyle = pathStyle;
    }

    @JsonProperty
    public Duration getPresignTtl()
    {
        return presignTtl;
    }

    @JsonProperty
    public void setPresignTtl(Duration presignTtl)
    {
        this.presignTtl = presignTtl;
    }

    @JsonProperty
    public DataSize getPartSize()
    {
        return partSize;
    }

    @JsonProperty
    public void setPartSize(DataSize partSize)
    {
        this.partSize = partSize;
    }

    @JsonProperty
    public int getPartsInFlight()
    {
        return partsInFlight;
    }

    @JsonProperty
    public void setPartsInFlight(int partsInFlight)
    {
        this.partsInFlight = partsInFlight;
    }

    @JsonProperty
    public Duration getCallTimeout()
    {
        return callTimeout;
    }

    @JsonProperty
    public void setCallTimeout(Duration callTimeout)
    {
        this.callTimeout = callTimeout;
    }

    @JsonProperty
    public Duration getAttemptTimeout()
    {
        return attemptTimeout;
    }

    @JsonProperty
    public void setAttemptTimeout(Duration attemptTimeout)
    {
        this.attemptTimeout = attemptTimeout;
    }
}
