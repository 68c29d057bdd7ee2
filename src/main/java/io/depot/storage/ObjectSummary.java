package io.depot.storage;

import java.time.Instant;

public record ObjectSummary(String key, Instant lastModified) {}
