package io.depot;

import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

public class LimitsConfiguration
{
    /** Largest file accepted; nginx's client_max_body_size is the same number. */
    @NotNull
    public DataSize uploadLimit = DataSize.gibibytes(1);

    /** Requests one token may make per window before it gets 429. */
    @Min(1)
    public int requestsPerWindow = 1200;

    @NotNull
    public Duration rateLimitWindow = Duration.minutes(1);

    @Min(1)
    public int defaultPageSize = 50;

    @Min(1)
    public int maxPageSize = 200;
}
