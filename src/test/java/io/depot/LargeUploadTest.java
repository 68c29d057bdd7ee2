package io.depot;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static org.assertj.core.api.Assertions.assertThat;

/** An upload several times the JVM's whole heap streams through: memory does not grow with file size. */
@ExtendWith(DropwizardExtensionsSupport.class)
class LargeUploadTest
{
    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of("limits.uploadLimit", "8GiB"));

    /** Eight 8 MiB parts: room for the upload's buffer, the SDK's and Jetty's, and noise, while the file is 4x the whole heap. */
    private static final long RETAINED_BOUND = 64L << 20;

    @Test
    void aFileFourTimesTheMaxHeapStreamsToS3()
            throws Exception
    {
        long maxHeap = Runtime.getRuntime().maxMemory();
        long size = 4 * maxHeap + 12345;
        DepotClient client = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        System.gc();
        long baseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);

        long started = System.nanoTime();
        HttpResponse<String> response;
        long retainedPeak;
        int collections;
        try (HeapAfterCollections retained = new HeapAfterCollections(heapPools)) {
            // Chunked (no Content-Length): the server learns the size only by reading to the end.
            response = send(client.authorized("/api/v1/assets?filename=large.bin")
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedStream(size, sent)))
                    .build());
            retainedPeak = retained.peak();
            collections = retained.collections();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long peakHeap = heapPools.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(json(response).get("size").asLong()).isEqualTo(size);
        assertThat(json(response).get("sha256").asText()).isEqualTo(HexFormat.of().formatHex(sent.digest()));

        URI location = URI.create(client.get("/api/v1/assets/" + json(response).get("id").asText() + "/content").headers().firstValue("Location").orElseThrow());
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        try (InputStream download = DepotClient.HTTP.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.ofInputStream()).body()) {
            byte[] buffer = new byte[1 << 16];
            for (int read = download.read(buffer); read >= 0; read = download.read(buffer)) {
                received.update(buffer, 0, read);
            }
        }
        assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(json(response).get("sha256").asText());

        System.out.printf("large upload: %d MiB through a %d MiB max heap in %.1f s (%.0f MiB/s); heap peak %d MiB (%.2f of max heap, %.3f of file size); "
                        + "after %d collections at most %d MiB stayed in use, %d MiB over the %d MiB before%n",
                size >> 20, maxHeap >> 20, seconds, (size >> 20) / seconds, peakHeap >> 20, (double) peakHeap / maxHeap, (double) peakHeap / size,
                collections, retainedPeak >> 20, (retainedPeak - baseline) >> 20, baseline >> 20);
        // What survives a collection is what the upload holds on to: its part buffers (storage.partsInFlight of them), not a growing share of the file.
        assertThat(collections).as("garbage collections during the upload (else nothing was measured)").isPositive();
        assertThat(retainedPeak - baseline).as("heap in use after a collection, over what was in use before the upload")
                .isLessThan(RETAINED_BOUND);
    }

    /**
     * The heap still in use right after each garbage collection, the most of it: unlike the peak
     * use, which is mostly garbage waiting for the next collection, this is what is held on to.
     */
    private static final class HeapAfterCollections
            implements NotificationListener, AutoCloseable
    {
        private final Set<String> heapPools;
        private final AtomicLong peak = new AtomicLong();
        private final AtomicInteger collections = new AtomicInteger();

        HeapAfterCollections(List<MemoryPoolMXBean> heapPools)
        {
            this.heapPools = heapPools.stream().map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
            ManagementFactory.getGarbageCollectorMXBeans().forEach(collector -> ((NotificationEmitter) collector).addNotificationListener(this, null, null));
        }

        @Override
        public void handleNotification(Notification notification, Object handback)
        {
            if (!notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                return;
            }
            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            long used = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                    .filter(pool -> heapPools.contains(pool.getKey()))
                    .mapToLong(pool -> pool.getValue().getUsed())
                    .sum();
            peak.accumulateAndGet(used, Math::max);
            collections.incrementAndGet();
        }

        long peak()
        {
            return peak.get();
        }

        int collections()
        {
            return collections.get();
        }

        @Override
        public void close()
                throws ListenerNotFoundException
        {
            for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) collector).removeNotificationListener(this);
            }
        }
    }

    /** Pseudo-random bytes made on demand, hashed as they are handed to the HTTP client. */
    private static final class GeneratedStream
            extends InputStream
    {
        private final SplittableRandom random = new SplittableRandom(42);
        private final MessageDigest digest;
        private long remaining;

        GeneratedStream(long size, MessageDigest digest)
        {
            this.remaining = size;
            this.digest = digest;
        }

        @Override
        public int read()
        {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length)
        {
            if (remaining == 0) {
                return -1;
            }
            int count = (int) Math.min(length, remaining);
            for (int index = 0; index < count; index += 8) {
                long value = random.nextLong();
                for (int shift = 0; shift < 8 && index + shift < count; shift++) {
                    buffer[offset + index + shift] = (byte) (value >>> (shift * 8));
                }
            }
            digest.update(buffer, offset, count);
            remaining -= count;
            return count;
        }
    }
}
