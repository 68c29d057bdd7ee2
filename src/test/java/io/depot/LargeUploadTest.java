package io.depot;

import io.depot.testing.DepotServer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.InputStream;
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
import java.util.SplittableRandom;

import static io.depot.AssetsApiTest.json;
import static io.depot.testing.DepotServer.send;
import static io.depot.testing.DepotServer.uri;
import static org.assertj.core.api.Assertions.assertThat;

/** An upload several times the JVM's whole heap streams through: memory does not grow with file size. */
@ExtendWith(DropwizardExtensionsSupport.class)
class LargeUploadTest
{
    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of("limits.uploadLimit", "8GiB"));

    @Test
    void aFileFourTimesTheMaxHeapStreamsToS3()
            throws Exception
    {
        long maxHeap = Runtime.getRuntime().maxMemory();
        long size = 4 * maxHeap + 12345;
        String token = DepotServer.createToken(DepotServer.newTenant());
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        System.gc();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);

        long started = System.nanoTime();
        // Chunked (no Content-Length): the server learns the size only by reading to the end.
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(APP, "/api/v1/assets?filename=large.bin"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedStream(size, sent)))
                .build());
        double seconds = (System.nanoTime() - started) / 1e9;
        long peakHeap = heapPools.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(json(response).get("size").asLong()).isEqualTo(size);
        assertThat(json(response).get("sha256").asText()).isEqualTo(HexFormat.of().formatHex(sent.digest()));

        URI location = URI.create(send(HttpRequest.newBuilder(uri(APP, "/api/v1/assets/" + json(response).get("id").asText() + "/content"))
                .header("Authorization", "Bearer " + token).build()).headers().firstValue("Location").orElseThrow());
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        try (InputStream download = DepotServer.HTTP.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.ofInputStream()).body()) {
            byte[] buffer = new byte[1 << 16];
            for (int read = download.read(buffer); read >= 0; read = download.read(buffer)) {
                received.update(buffer, 0, read);
            }
        }
        assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(json(response).get("sha256").asText());

        System.out.printf("large upload: %d MiB through a %d MiB max heap in %.1f s (%.0f MiB/s); heap peak %d MiB (%.2f of max heap, %.3f of file size)%n",
                size >> 20, maxHeap >> 20, seconds, (size >> 20) / seconds, peakHeap >> 20, (double) peakHeap / maxHeap, (double) peakHeap / size);
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
