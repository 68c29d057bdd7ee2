package io.depot.resources;

import java.io.IOException;

/** The request body is not in the content coding its Content-Encoding names (a 400: the client sent the wrong bytes). */
public class UndecodableBodyException
        extends IOException
{
    public UndecodableBodyException(String coding, IOException cause)
    {
        super("the body is not valid " + coding + " as its Content-Encoding says (" + cause.getMessage() + ")", cause);
    }
}
