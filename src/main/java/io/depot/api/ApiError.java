package io.depot.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** The one shape of every error a client sees: the status again, and what to do about it. */
@Schema(name = "Error", description = "Every error response: the HTTP status and a message saying what was wrong.", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record ApiError(
        @Schema(description = "The HTTP status code of the response.", minimum = "400", maximum = "599", requiredMode = Schema.RequiredMode.REQUIRED) int code,
        @Schema(description = "What was wrong, for people.", requiredMode = Schema.RequiredMode.REQUIRED) String message) {}
