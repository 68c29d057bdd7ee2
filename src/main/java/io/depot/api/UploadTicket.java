package io.depot.api;

import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/** A presigned request the client sends to S3 itself, then confirms with /complete. */
@Schema(description = "A presigned upload: send `method` to `url` with exactly `headers` and the file as the body before `expiresAt`, "
        + "then POST /api/v1/uploads/{uploadId}/complete.", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record UploadTicket(
        @Schema(description = "The ticket's id, for /complete.", requiredMode = Schema.RequiredMode.REQUIRED) UUID uploadId,
        @Schema(description = "The presigned URL of the bucket's object.", format = "uri", requiredMode = Schema.RequiredMode.REQUIRED) String url,
        @Schema(description = "The HTTP method to send to the URL.", allowableValues = "PUT", requiredMode = Schema.RequiredMode.REQUIRED) String method,
        @Schema(description = "The headers the request must carry, exactly (they are signed).", requiredMode = Schema.RequiredMode.REQUIRED)
        Map<String, String> headers,
        @Schema(description = "When the URL stops working, and the ticket with it (RFC 3339, UTC).", requiredMode = Schema.RequiredMode.REQUIRED)
        Instant expiresAt)
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
