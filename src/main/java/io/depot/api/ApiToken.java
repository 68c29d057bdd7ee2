package io.depot.api;

import java.time.Instant;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * A token's record; the secret itself is never stored, only its hash. requestsPerWindow is the
 * token's own rate limit, empty for the configured one.
 */
public record ApiToken(UUID id, String tenant, String name, OptionalInt requestsPerWindow, Instant createdAt, Instant revokedAt) {}
