package io.depot.storage;

import io.depot.testing.TestStack;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Multipart uploads with several parts in flight at once, against the real S3Proxy: whole objects, and nothing left when one fails. */
class ObjectStoreMultipartTest
{
    private static final int PART = 5 << 20;
    private static final String BUCKET = TestStack.get().environment().get("DEPOT_S3_BUCKET");

    @Test
    void partsSentSeveralAtOnceMakeTheWholeObjectInOrder()
            throws Exception
    {
        byte[] content = randomBytes(2 * PART + 12345);
        String key = "tests/" + UUID.randomUUID();
        AtomicLong progress = new AtomicLong();
        try (ObjectStore objects = new ObjectStore(ObjectStoreErrorsTest.storage(BUCKET))) {
            StoredObject stored = objects.put(key, "application/octet-stream", new ByteArrayInputStream(content), new byte[PART], spares(2), content.length,
                    Optional.empty(), progress::addAndGet);
            assertThat(stored.size()).isEqualTo(content.length);
            assertThat(stored.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
            assertThat(progress.get()).isEqualTo(content.length);
            assertThat(objects.sha256(key)).as("the stored object, read back: parts in their order, each from its own buffer").isEqualTo(stored.sha256());
            objects.delete(key);
        }
    }

    @Test
    void aFailureWithPartsInFlightAbortsTheUploadAndLeavesNothing()
    {
        byte[] content = randomBytes(3 * PART);
        String tooLarge = "tests/" + UUID.randomUUID();
        String mismatch = "tests/" + UUID.randomUUID();
        try (ObjectStore objects = new ObjectStore(ObjectStoreErrorsTest.storage(BUCKET)); S3Client s3 = client()) {
            assertThatThrownBy(() -> objects.put(tooLarge, "application/octet-stream", new ByteArrayInputStream(content), new byte[PART], spares(2), 2L * PART + 1,
                    Optional.empty(), bytes -> {}))
                    .isInstanceOf(ObjectTooLargeException.class);
            assertThatThrownBy(() -> objects.put(mismatch, "application/octet-stream", new ByteArrayInputStream(content), new byte[PART], spares(2), content.length,
                    Optional.of("0".repeat(64)), bytes -> {}))
                    .isInstanceOf(ChecksumMismatchException.class);
            for (String key : List.of(tooLarge, mismatch)) {
                assertThat(objects.size(key)).as("no object at %s", key).isEmpty();
                assertThat(s3.listMultipartUploads(request -> request.bucket(BUCKET).prefix(key)).uploads()).as("no multipart upload left for %s", key).isEmpty();
            }
        }
    }

    @Test
    void aBodyThatFailsMidwayAbortsOnceThePartsInFlightHaveEnded()
    {
        String key = "tests/" + UUID.randomUUID();
        InputStream failing = new InputStream()
        {
            private final InputStream start = new ByteArrayInputStream(randomBytes(3 * PART));

            @Override
            public int read()
            {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] buffer, int offset, int length)
                    throws java.io.IOException
            {
                int read = start.read(buffer, offset, length);
                if (read < 0) {
                    throw new java.io.IOException("the client went away");
                }
                return read;
            }
        };
        try (ObjectStore objects = new ObjectStore(ObjectStoreErrorsTest.storage(BUCKET)); S3Client s3 = client()) {
            assertThatThrownBy(() -> objects.put(key, "application/octet-stream", failing, new byte[PART], spares(2), 10L * PART, Optional.empty(), bytes -> {}))
                    .isInstanceOf(java.io.UncheckedIOException.class);
            assertThat(s3.listMultipartUploads(request -> request.bucket(BUCKET).prefix(key)).uploads()).isEmpty();
        }
    }

    /** Gives {@code count} more buffers, then none: three parts in flight at most. */
    private static Supplier<byte[]> spares(int count)
    {
        AtomicInteger left = new AtomicInteger(count);
        return () -> left.getAndDecrement() > 0 ? new byte[PART] : null;
    }

    private static byte[] randomBytes(int size)
    {
        byte[] bytes = new byte[size];
        new SplittableRandom(size).nextBytes(bytes);
        return bytes;
    }

    private static S3Client client()
    {
        StorageConfiguration storage = ObjectStoreErrorsTest.storage(BUCKET);
        return S3Client.builder()
                .region(Region.of(storage.getRegion()))
                .endpointOverride(URI.create(storage.getEndpoint()))
                .forcePathStyle(storage.isPathStyle())
                .build();
    }
}
