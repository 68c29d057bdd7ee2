package io.depot.api;

import java.time.Instant;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/** An uploaded file as clients see it. */
public record Asset(UUID id, String filename, String contentType, long size, String sha256, Instant createdAt)
{
    public Asset
    {
        requireNonNull(id, "id is null");
        requireNonNull(filename, "filename is null");
        requireNonNull(contentType, "contentType is null");
        requireNonNull(sha256, "sha256 is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    /** A strong validator: an asset never changes after it is created. */
    public String entityTag()
    {
        return sha256 + "-" + id;
    }
}
