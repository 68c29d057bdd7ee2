package io.depot.storage;

import static java.util.Objects.requireNonNull;

/** The body's SHA-256 is not the one its sender declared; nothing of it was kept in the bucket. */
public class ChecksumMismatchException
        extends RuntimeException
{
    private final String actualSha256;
    private final String declaredSha256;

    public ChecksumMismatchException(String actualSha256, String declaredSha256)
    {
        super("the body's SHA-256 is " + actualSha256 + " but the request declares " + declaredSha256);
        this.actualSha256 = requireNonNull(actualSha256, "actualSha256 is null");
        this.declaredSha256 = requireNonNull(declaredSha256, "declaredSha256 is null");
    }

    public String actualSha256()
    {
        return actualSha256;
    }

    public String declaredSha256()
    {
        return declaredSha256;
    }
}
