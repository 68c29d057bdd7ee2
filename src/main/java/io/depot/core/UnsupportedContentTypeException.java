package io.depot.core;

/** The declared media type of a file is missing, malformed or one Depot does not store (forms, multipart). */
public final class UnsupportedContentTypeException
        extends DepotException
{
    public UnsupportedContentTypeException(String message)
    {
        super(message, null);
    }
}
