package io.depot.core;

import static java.util.Objects.requireNonNull;

/** A failure with the HTTP status and the precise message a client should see. */
public class DepotException
        extends RuntimeException
{
    private final int status;

    public DepotException(int status, String message)
    {
        this(status, message, null);
    }

    public DepotException(int status, String message, Throwable cause)
    {
        super(requireNonNull(message, "message is null"), cause);
        this.status = status;
    }

    public int status()
    {
        return status;
    }

    public static DepotException badRequest(String message)
    {
        return new DepotException(400, message);
    }

    public static DepotException notFound(String message)
    {
        return new DepotException(404, message);
    }

    public static DepotException unavailable(String message, Throwable cause)
    {
        return new DepotException(503, message, cause);
    }
}
