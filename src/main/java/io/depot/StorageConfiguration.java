package io.depot;

import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import java.util.concurrent.TimeUnit;

/**
 * The S3 bucket that holds the bytes. {@code endpoint} and {@code pathStyle} exist for
 * S3-compatible servers; on AWS both stay unset and credentials come from the instance profile.
 */
public class StorageConfiguration
{
    @NotBlank
    public String bucket;

    @NotBlank
    public String region = "us-east-1";

    /** Empty means AWS's own endpoint for the region. */
    public String endpoint = "";

    public boolean pathStyle;

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @MaxDuration(value = 7, unit = TimeUnit.DAYS)
    public Duration presignTtl = Duration.seconds(300);

    /** Parts of a multipart upload; also the most one upload holds in memory. S3's minimum is 5 MiB. */
    @NotNull
    @MinDataSize(value = 5, unit = io.dropwizard.util.DataSizeUnit.MEBIBYTES)
    public DataSize partSize = DataSize.mebibytes(8);
}
