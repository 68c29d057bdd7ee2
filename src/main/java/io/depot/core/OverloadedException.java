package io.depot.core;

/** Depot has no room for the request right now (its upload buffers are all in use); a retry after {@link #retryAfterSeconds()} may succeed. */
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
