package io.depot.core;

/** The thing existed but expired; asking again will not help, starting over will. */
public final class GoneException
        extends DepotException
{
    public GoneException(String message)
    {
        super(message, null);
    }
}
