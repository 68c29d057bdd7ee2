package io.depot.storage;

/** The body went past the upload limit; whatever had been sent to S3 is already aborted. */
public class ObjectTooLargeException
        extends RuntimeException
{
    public ObjectTooLargeException(long limit)
    {
        super(describe(limit));
    }

    /** The message for a body past {@code limit}, also where a body is measured without being stored. */
    public static String describe(long limit)
    {
        return "the file is larger than the upload limit of " + limit + " bytes";
    }
}
