package io.depot.api;

import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/** An uploaded file as clients see it. */
@Schema(description = "An uploaded file. It never changes once created.", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record Asset(
        @Schema(description = "The asset's id.", requiredMode = Schema.RequiredMode.REQUIRED) UUID id,
        @Schema(description = "The file's name as uploaded (at most 255 bytes of UTF-8, no path separators or control characters).",
                minLength = 1, requiredMode = Schema.RequiredMode.REQUIRED) String filename,
        @Schema(description = "The media type the file was uploaded with, parameters included, exactly as sent.", example = "text/plain; charset=UTF-8",
                requiredMode = Schema.RequiredMode.REQUIRED) String contentType,
        @Schema(description = "The file's length in bytes.", minimum = "0", requiredMode = Schema.RequiredMode.REQUIRED) long size,
        @Schema(description = "The file's SHA-256, in lower-case hexadecimal.", pattern = "^[0-9a-f]{64}$", requiredMode = Schema.RequiredMode.REQUIRED) String sha256,
        @Schema(description = "When the asset was created (RFC 3339, UTC).", requiredMode = Schema.RequiredMode.REQUIRED) Instant createdAt)
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
