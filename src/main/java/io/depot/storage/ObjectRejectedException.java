package io.depot.storage;

import static java.util.Objects.requireNonNull;

/**
 * S3 refused an upload because of what the request carried (its headers or its body), not because
 * it is down or Depot's credentials or bucket are wrong: retrying the same request cannot succeed.
 */
public class ObjectRejectedException
        extends RuntimeException
{
    private final String errorCode;

    public ObjectRejectedException(String errorCode, String message, Throwable cause)
    {
        super(message, cause);
        this.errorCode = requireNonNull(errorCode, "errorCode is null");
    }

    /** S3's error code, e.g. InvalidArgument. */
    public String errorCode()
    {
        return errorCode;
    }
}
