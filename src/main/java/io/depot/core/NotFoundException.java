package io.depot.core;

/** No such thing for this tenant; another tenant's thing is indistinguishable from a missing one. */
public final class NotFoundException
        extends DepotException
{
    public NotFoundException(String message)
    {
        super(message, null);
    }
}
