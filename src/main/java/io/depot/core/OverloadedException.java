package io.depot.core;

/**
 * Depot cannot take the request right now: its upload buffers are all in use, or the instance is
 * stopping. A retry after {@link #retryAfterSeconds()} may succeed (here, or on another instance).
 */
public final class OverloadedException
        extends DepotException
{
    private final int retryAfterSeconds;

    public OverloadedException(String message, int retryAfterSeconds)
    {
        super(message, null);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds()
    {
        return retryAfterSeconds;
    }
}
