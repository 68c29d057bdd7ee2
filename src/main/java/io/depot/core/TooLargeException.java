package io.depot.core;

/** A file over the upload limit; nothing of it is kept. */
public final class TooLargeException
        extends DepotException
{
    public TooLargeException(String message)
    {
        super(message, null);
    }
}
