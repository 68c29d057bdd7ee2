package io.depot.storage;

import java.time.Instant;

public record ObjectSummary(String key, long size, Instant lastModified) {}
