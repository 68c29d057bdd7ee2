package io.depot.core;

/** Something the caller sent is malformed or out of range; the message says what and how to fix it. */
public final class InvalidInputException
        extends DepotException
{
    public InvalidInputException(String message)
    {
        super(message, null);
    }
}
