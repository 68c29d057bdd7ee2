package io.depot.api;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/** A presigned request the client sends to S3 itself, then confirms with /complete. */
public record UploadTicket(UUID uploadId, String url, String method, Map<String, String> headers, Instant expiresAt)
{
    public UploadTicket
    {
        requireNonNull(uploadId, "uploadId is null");
        requireNonNull(url, "url is null");
        requireNonNull(method, "method is null");
        headers = Map.copyOf(requireNonNull(headers, "headers is null"));
        requireNonNull(expiresAt, "expiresAt is null");
    }
}
