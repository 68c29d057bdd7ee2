package io.depot.api;

/**
 * What a client declares before uploading straight to S3; {@code sha256} (hex, optional) pins
 * the bytes. Validated by the resource, not by annotations, for precise messages.
 */
public record UploadRequest(String filename, String contentType, Long size, String sha256) {}
