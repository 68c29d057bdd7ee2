package io.depot.storage;

/** The bucket could not be reached or refused the request; the SDK's own exception is the cause. */
public class StorageUnavailableException
        extends RuntimeException
{
    public StorageUnavailableException(String message, Throwable cause)
    {
        super(message, cause);
    }
}
