package io.depot.core;

/** The tenant already has as many requests of this kind in flight as it may; a retry after {@link #retryAfterSeconds()} may succeed. */
public final class TooManyRequestsException
        extends DepotException
{
    private final int retryAfterSeconds;

    public TooManyRequestsException(String message, int retryAfterSeconds)
    {
        super(message, null);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds()
    {
        return retryAfterSeconds;
    }
}
