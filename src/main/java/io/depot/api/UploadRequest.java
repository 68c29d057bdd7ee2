package io.depot.api;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * What a client declares before uploading straight to S3; {@code sha256} (hex, optional) pins
 * the bytes. Validated by the resource, not by annotations, for precise messages.
 */
@Schema(description = "The announcement of a direct upload: what the client will PUT to the bucket.")
public record UploadRequest(
        @Schema(description = "The file's name (at most 255 bytes of UTF-8, not spaces alone, no path separators or control characters).", pattern = "\\S", requiredMode = Schema.RequiredMode.REQUIRED)
        String filename,
        @Schema(description = "The file's media type; stored and served exactly as given.", requiredMode = Schema.RequiredMode.REQUIRED) String contentType,
        @Schema(description = "The file's length in bytes; the upload limit applies.", minimum = "0", format = "int64", requiredMode = Schema.RequiredMode.REQUIRED) Long size,
        @Schema(description = "The file's SHA-256 as 64 hexadecimal digits; if given, /complete checks the object against it.", pattern = "^[0-9a-fA-F]{64}$")
        String sha256) {}
