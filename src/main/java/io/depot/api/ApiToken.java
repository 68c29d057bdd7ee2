package io.depot.api;

import java.time.Instant;
import java.util.UUID;

/** A token's record; the secret itself is never stored, only its hash. */
public record ApiToken(UUID id, String tenant, String name, Instant createdAt, Instant revokedAt) {}
