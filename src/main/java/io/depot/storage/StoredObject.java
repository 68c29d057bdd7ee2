package io.depot.storage;

import static java.util.Objects.requireNonNull;

/** What was written: the byte count and SHA-256 measured while streaming. */
public record StoredObject(String key, long size, String sha256)
{
    public StoredObject
    {
        requireNonNull(key, "key is null");
        requireNonNull(sha256, "sha256 is null");
    }
}
