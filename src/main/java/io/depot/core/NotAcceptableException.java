package io.depot.core;

/** None of the representations the caller accepts can be served; the message names those that can. */
public final class NotAcceptableException
        extends DepotException
{
    public NotAcceptableException(String message)
    {
        super(message, null);
    }
}
