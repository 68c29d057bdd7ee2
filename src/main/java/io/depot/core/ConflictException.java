package io.depot.core;

/** The request contradicts the current state (nothing uploaded yet, a size that does not match, a request still in progress). */
public final class ConflictException
        extends DepotException
{
    public ConflictException(String message)
    {
        super(message, null);
    }
}
