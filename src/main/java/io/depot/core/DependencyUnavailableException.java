package io.depot.core;

/** PostgreSQL or object storage failed; the request may succeed when retried a little later. */
public final class DependencyUnavailableException
        extends DepotException
{
    public DependencyUnavailableException(String message, Throwable cause)
    {
        super(message, cause);
    }
}
