package io.depot.storage;

import io.depot.core.Hashes;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The private bucket. Uploads stream through the part-sized buffers the caller lends, so heap use
 * does not grow with file size; downloads never pass through the JVM (presigned GETs). Every failure of S3 or
 * of the SDK leaves as a {@link StorageUnavailableException}: no SDK type escapes this class.
 */
public class ObjectStore
        implements AutoCloseable
{
    // S3 error codes that mean the upload request itself was wrong (see causedByTheRequest).
    private static final Set<String> REQUEST_ERRORS = Set.of("InvalidArgument", "InvalidRequest", "SignatureDoesNotMatch", "EntityTooLarge", "EntityTooSmall",
            "MetadataTooLarge", "InvalidDigest", "BadDigest", "IncompleteBody", "MissingContentLength", "UnexpectedContent", "InvalidEncodingType");

    // One connection of the HTTP client per part in flight: more threads would only wait for one.
    private static final int MAX_CONNECTIONS = 64;

    private final S3Client client;
    // Sends the parts of multipart uploads while the request threads read the next ones.
    private final ExecutorService partSender;
    private final S3Presigner presigner;
    private final String bucket;
    private final Duration presignTtl;

    public ObjectStore(StorageConfiguration configuration)
    {
        requireNonNull(configuration, "configuration is null");
        this.bucket = requireNonNull(configuration.getBucket(), "bucket is null");
        this.presignTtl = configuration.getPresignTtl().toJavaDuration();
        S3Configuration serviceConfiguration = S3Configuration.builder().pathStyleAccessEnabled(configuration.isPathStyle()).build();
        var clientBuilder = S3Client.builder()
                .region(Region.of(configuration.getRegion()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .serviceConfiguration(serviceConfiguration)
                // Checksums only where S3 requires them: S3-compatible servers reject the newer trailing-checksum encoding.
                // Bounded time per try and per call (retries included), inside nginx's proxy_read_timeout.
                .overrideConfiguration(override -> override
                        .apiCallAttemptTimeout(configuration.getAttemptTimeout().toJavaDuration())
                        .apiCallTimeout(configuration.getCallTimeout().toJavaDuration()))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder()
                        .maxConnections(MAX_CONNECTIONS)
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(30)));
        var presignerBuilder = S3Presigner.builder()
                .region(Region.of(configuration.getRegion()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .serviceConfiguration(serviceConfiguration);
        if (!configuration.getEndpoint().isBlank()) {
            clientBuilder.endpointOverride(URI.create(configuration.getEndpoint()));
            presignerBuilder.endpointOverride(URI.create(configuration.getEndpoint()));
        }
        this.client = clientBuilder.build();
        this.presigner = presignerBuilder.build();
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor sender = new ThreadPoolExecutor(MAX_CONNECTIONS, MAX_CONNECTIONS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "s3-part-sender-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // Threads exist only while uploads do.
        sender.allowCoreThreadTimeOut(true);
        this.partSender = sender;
    }

    public String bucket()
    {
        return bucket;
    }

    /**
     * Streams {@code body} to {@code key} through {@code buffer}, measuring size and SHA-256 on the
     * way; its length is the part size. A body that fits in it is a single PUT; a larger one is a
     * multipart upload whose parts are sent while the next ones are read, each from its own buffer:
     * another from {@code spareBuffer} while it gives one (null: none now), else the buffer of the
     * oldest part once S3 has it. It is aborted on any failure, including passing {@code limit}
     * or a SHA-256 other than {@code expectedSha256}, which is checked before the object is
     * committed. {@code progress} is told of every chunk of bytes read. When this returns or
     * throws, no part is being sent any more: the buffers are the caller's again.
     */
    public StoredObject put(String key, String contentType, InputStream body, byte[] buffer, Supplier<byte[]> spareBuffer, long limit,
            Optional<String> expectedSha256, Consumer<Long> progress)
    {
        return available(() -> {
            try {
                return stream(key, contentType, body, buffer, spareBuffer, limit, expectedSha256, progress);
            }
            catch (S3Exception e) {
                throw causedByTheRequest(e) ? new ObjectRejectedException(e.awsErrorDetails().errorCode(), e.awsErrorDetails().errorMessage(), e) : e;
            }
        });
    }

    /**
     * Whether S3 refused an upload for what it carried: a 4xx whose code names the request's
     * headers or body. A 4xx about credentials, permissions, the bucket or the clock (AccessDenied,
     * InvalidAccessKeyId, NoSuchBucket, RequestTimeTooSkewed, ...) is Depot's configuration, and
     * like a 5xx or no answer at all, object storage being unavailable. A signature that does not
     * match on an upload is the request's: the credentials are checked by readiness (HeadBucket).
     */
    static boolean causedByTheRequest(S3Exception exception)
    {
        return exception.statusCode() >= 400 && exception.statusCode() < 500 && exception.awsErrorDetails() != null
                && REQUEST_ERRORS.contains(String.valueOf(exception.awsErrorDetails().errorCode()));
    }


    private StoredObject stream(String key, String contentType, InputStream body, byte[] firstBuffer, Supplier<byte[]> spareBuffer, long limit,
            Optional<String> expectedSha256, Consumer<Long> progress)
    {
        MessageDigest digest = Hashes.sha256();
        byte[] buffer = firstBuffer;
        int partSize = buffer.length;
        int filled = fill(body, buffer, digest, progress);
        if (filled < partSize) {
            if (filled > limit) {
                throw new ObjectTooLargeException(limit);
            }
            String sha256 = verified(digest, expectedSha256);
            long size = filled;
            client.putObject(request -> request.bucket(bucket).key(key).contentType(contentType).contentLength(size), body(buffer, filled));
            return new StoredObject(key, size, sha256);
        }
        String uploadId = client.createMultipartUpload(request -> request.bucket(bucket).key(key).contentType(contentType)).uploadId();
        Deque<PartInFlight> inFlight = new ArrayDeque<>();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long total = 0;
            while (filled > 0) {
                total += filled;
                if (total > limit) {
                    throw new ObjectTooLargeException(limit);
                }
                inFlight.add(sendPart(key, uploadId, parts.size() + inFlight.size() + 1, buffer, filled));
                byte[] spare = spareBuffer.get();
                buffer = spare != null ? spare : oldestSent(inFlight, parts);
                filled = fill(body, buffer, digest, progress);
            }
            while (!inFlight.isEmpty()) {
                oldestSent(inFlight, parts);
            }
            String sha256 = verified(digest, expectedSha256);
            client.completeMultipartUpload(request -> request.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
            return new StoredObject(key, total, sha256);
        }
        catch (RuntimeException e) {
            // The parts still on their way read the caller's buffers: let them end (each within the call timeout) first.
            inFlight.forEach(part -> awaitQuietly(part, e));
            abortQuietly(key, uploadId, e);
            throw e;
        }
    }

    private record PartInFlight(int number, byte[] buffer, Future<String> etag) {}

    private PartInFlight sendPart(String key, String uploadId, int partNumber, byte[] buffer, int length)
    {
        Future<String> etag = partSender.submit(() -> client.uploadPart(request -> request.bucket(bucket).key(key).uploadId(uploadId)
                .partNumber(partNumber).contentLength((long) length), body(buffer, length)).eTag());
        return new PartInFlight(partNumber, buffer, etag);
    }

    /** Waits for the oldest part in flight to be stored and records it; returns its buffer, free again. */
    private static byte[] oldestSent(Deque<PartInFlight> inFlight, List<CompletedPart> parts)
    {
        PartInFlight part = inFlight.element();
        try {
            parts.add(CompletedPart.builder().partNumber(part.number()).eTag(part.etag().get()).build());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted while part " + part.number() + " was sent"));
        }
        catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException("sending part " + part.number() + " failed", e.getCause());
        }
        inFlight.remove();
        return part.buffer();
    }

    /** Waits for a part to end however it ends, even when interrupted: until then its buffer is not free. */
    private static void awaitQuietly(PartInFlight part, RuntimeException failure)
    {
        boolean interrupted = false;
        while (true) {
            try {
                part.etag().get();
                break;
            }
            catch (InterruptedException e) {
                interrupted = true;
            }
            catch (ExecutionException e) {
                // The part whose failure is being thrown is still among those in flight.
                if (e.getCause() != failure) {
                    failure.addSuppressed(e.getCause());
                }
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // The SDK reads the bytes from the buffer itself (a stream per attempt, so a retry resends them), without copying it.
    private static RequestBody body(byte[] buffer, int length)
    {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length, "application/octet-stream");
    }

    private static String verified(MessageDigest digest, Optional<String> expectedSha256)
    {
        String sha256 = HexFormat.of().formatHex(digest.digest());
        if (expectedSha256.isPresent() && !expectedSha256.get().equals(sha256)) {
            throw new ChecksumMismatchException(sha256, expectedSha256.get());
        }
        return sha256;
    }

    private void abortQuietly(String key, String uploadId, RuntimeException failure)
    {
        try {
            client.abortMultipartUpload(request -> request.bucket(bucket).key(key).uploadId(uploadId));
        }
        catch (RuntimeException abortFailure) {
            // S3's lifecycle rule for incomplete multipart uploads removes what this could not.
            failure.addSuppressed(abortFailure);
        }
    }

    private static int fill(InputStream body, byte[] buffer, MessageDigest digest, Consumer<Long> progress)
    {
        int filled = 0;
        try {
            while (filled < buffer.length) {
                int read = body.read(buffer, filled, buffer.length - filled);
                if (read < 0) {
                    break;
                }
                digest.update(buffer, filled, read);
                progress.accept((long) read);
                filled += read;
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("reading the upload body failed", e);
        }
        return filled;
    }

    /** The size of the object at {@code key}, or empty when there is none. */
    public OptionalLong size(String key)
    {
        return available(() -> {
            try {
                return OptionalLong.of(client.headObject(request -> request.bucket(bucket).key(key)).contentLength());
            }
            catch (NoSuchKeyException e) {
                return OptionalLong.empty();
            }
            catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return OptionalLong.empty();
                }
                throw e;
            }
        });
    }

    /** SHA-256 of an object the client uploaded directly; read once, in a fixed buffer. */
    public String sha256(String key)
    {
        return available(() -> digest(key));
    }

    private String digest(String key)
    {
        try (ResponseInputStream<GetObjectResponse> stream = client.getObject(request -> request.bucket(bucket).key(key))) {
            return Hashes.sha256Hex(stream, Long.MAX_VALUE).orElseThrow();
        }
        catch (IOException e) {
            throw new UncheckedIOException("reading " + key + " failed", e);
        }
    }

    public void delete(String key)
    {
        available(() -> client.deleteObject(request -> request.bucket(bucket).key(key)));
    }

    /** Throws unless the bucket exists and these credentials reach it. */
    public void checkBucket()
    {
        available(() -> client.headBucket(request -> request.bucket(bucket)));
    }

    public void putSmall(String key, byte[] content)
    {
        available(() -> client.putObject(request -> request.bucket(bucket).key(key).contentLength((long) content.length), RequestBody.fromBytes(content)));
    }

    public byte[] getSmall(String key)
    {
        return available(() -> client.getObjectAsBytes(request -> request.bucket(bucket).key(key)).asByteArray());
    }

    /** Every object under {@code prefix}, one S3 listing page (up to 1,000 keys) at a time. */
    public void forEachPage(String prefix, Consumer<List<ObjectSummary>> consumer)
    {
        available(() -> {
            for (var page : client.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(prefix))) {
                List<ObjectSummary> objects = new ArrayList<>();
                for (S3Object object : page.contents()) {
                    objects.add(new ObjectSummary(object.key(), object.lastModified()));
                }
                if (!objects.isEmpty()) {
                    consumer.accept(objects);
                }
            }
            return null;
        });
    }

    public URI presignGet(String key, String contentType, String contentDisposition)
    {
        return available(() -> URI.create(presigner.presignGetObject(request -> request
                .signatureDuration(presignTtl)
                .getObjectRequest(get -> get.bucket(bucket).key(key)
                        .responseContentType(contentType)
                        .responseContentDisposition(contentDisposition)))
                .url().toString()));
    }

    public PresignedPut presignPut(String key, String contentType, long size)
    {
        PresignedPutObjectRequest presigned = available(() -> presigner.presignPutObject(request -> request
                .signatureDuration(presignTtl)
                .putObjectRequest(put -> put.bucket(bucket).key(key).contentType(contentType).contentLength(size))));
        Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        presigned.signedHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                headers.put(name, String.join(",", values));
            }
        });
        headers.put("Content-Type", contentType);
        return new PresignedPut(presigned.url().toString(), presigned.httpRequest().method().name(), Map.copyOf(headers), presigned.expiration());
    }

    private static <T> T available(Supplier<T> call)
    {
        try {
            return call.get();
        }
        catch (SdkException e) {
            throw new StorageUnavailableException("object storage is unavailable: " + e.getMessage(), e);
        }
    }

    public record PresignedPut(String url, String method, Map<String, String> headers, Instant expiresAt) {}

    @Override
    public void close()
    {
        partSender.shutdown();
        presigner.close();
        client.close();
    }
}
