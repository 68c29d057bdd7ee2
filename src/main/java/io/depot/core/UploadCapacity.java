package io.depot.core;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * What bounds the memory uploads take: one budget of buffer bytes for the whole process, handed
 * out as pooled part-sized buffers (up to {@code buffersPerUpload} to one upload, so several of its
 * parts can be on their way to S3 at once), and a cap on each tenant's uploads in flight, so that neither
 * a flood of slow uploads nor one tenant's burst can exhaust the heap or the others' share.
 * A request that finds the budget spent waits a short, bounded time and is then refused (503);
 * a tenant over its cap is refused at once (429).
 */
public class UploadCapacity
        implements AutoCloseable
{
    // Buffers come free as uploads end, so a refused request may retry soon.
    private static final int RETRY_AFTER_SECONDS = 1;

    private final int bufferSize;
    private final int buffersPerUpload;
    private final int bufferCount;
    private final Semaphore buffersLeft;
    // First buffers handed back, kept for the next upload: allocated once, then reused.
    private final Queue<byte[]> pooled = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private volatile boolean cut;
    private final long waitNanos;
    private final int perTenant;
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();
    private final Meter budgetRejections;
    private final Meter tenantRejections;

    public UploadCapacity(long budgetBytes, int bufferSize, int buffersPerUpload, Duration wait, int perTenant, MetricRegistry metrics)
    {
        if (buffersPerUpload < 1) {
            throw new IllegalArgumentException("an upload needs at least one buffer");
        }
        if (bufferSize < 1 || budgetBytes < bufferSize) {
            throw new IllegalArgumentException("the upload buffer budget (%d bytes) must hold at least one part buffer (%d bytes)".formatted(budgetBytes, bufferSize));
        }
        if (perTenant < 1) {
            throw new IllegalArgumentException("uploads per tenant must be at least 1");
        }
        this.bufferSize = bufferSize;
        this.buffersPerUpload = buffersPerUpload;
        this.bufferCount = Math.toIntExact(Math.min(Integer.MAX_VALUE, budgetBytes / bufferSize));
        this.buffersLeft = new Semaphore(bufferCount, true);
        this.waitNanos = requireNonNull(wait, "wait is null").toNanos();
        this.perTenant = perTenant;
        this.budgetRejections = metrics.meter("depot.upload.rejected.budget");
        this.tenantRejections = metrics.meter("depot.upload.rejected.tenant");
        metrics.register("depot.upload.buffers.in-use", (Gauge<Integer>) () -> bufferCount - buffersLeft.availablePermits());
        metrics.register("depot.upload.buffers.allocated", (Gauge<Integer>) () -> bufferCount - buffersLeft.availablePermits() + pooled.size());
    }

    public int bufferSize()
    {
        return bufferSize;
    }

    /** Uploads in flight now, of all tenants. */
    public int uploadsInFlight()
    {
        return inFlight.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Counts an upload of {@code tenant} in flight until the admission is closed, or refuses it when the tenant is at its cap. */
    public Admission admit(String tenant)
    {
        requireNonNull(tenant, "tenant is null");
        boolean[] admitted = new boolean[1];
        inFlight.compute(tenant, (name, count) -> {
            int current = count == null ? 0 : count;
            if (current >= perTenant) {
                return current;
            }
            admitted[0] = true;
            return current + 1;
        });
        if (!admitted[0]) {
            tenantRejections.mark();
            throw new TooManyRequestsException("this tenant already has %d uploads in flight, the most it may have at once; retry when one has finished"
                    .formatted(perTenant), RETRY_AFTER_SECONDS);
        }
        return new Admission(tenant);
    }

    /**
     * Part buffers from the shared budget for one upload: the first waits a short, bounded time
     * for one to come free (or the upload is refused); {@link Buffers#spare} gives up to
     * {@code buffersPerUpload - 1} more, only while the budget has them free, so a busy budget
     * makes uploads slower, never refused for speed. A body declared smaller than a part gets a
     * first buffer of its own size (and the byte that shows it ended), not a pooled part buffer:
     * small uploads, most of them, neither fill the heap with part buffers nor grow it. It still
     * counts as a whole part against the budget, so the budget bounds the heap either way.
     */
    public Buffers buffers(OptionalLong declaredLength)
    {
        boolean acquired;
        try {
            acquired = buffersLeft.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            budgetRejections.mark();
            throw new OverloadedException("Depot is receiving as many uploads as its memory allows; retry in %d s".formatted(RETRY_AFTER_SECONDS), RETRY_AFTER_SECONDS);
        }
        long length = declaredLength.orElse(bufferSize);
        if (length < bufferSize) {
            return new Buffers(new byte[Math.toIntExact(length) + 1]);
        }
        byte[] first = pooled.poll();
        return new Buffers(first == null ? new byte[bufferSize] : first);
    }

    /**
     * Ends the uploads in flight: each fails at its next read of the body, stores nothing and is
     * answered 503 with Retry-After, while the connection is still open to carry it, instead of
     * being cut by the server's stop. For a stop whose upload finish window has passed.
     */
    public void cutUploadsInFlight()
    {
        cut = true;
    }

    boolean uploadsCut()
    {
        return cut;
    }

    /** Lets the pooled buffers go when the application stops: a stopped instance that stays reachable holds no part buffers. */
    @Override
    public void close()
    {
        closed = true;
        pooled.clear();
    }

    public final class Admission
            implements AutoCloseable
    {
        private final String tenant;
        private boolean closed;

        private Admission(String tenant)
        {
            this.tenant = tenant;
        }

        @Override
        public void close()
        {
            if (closed) {
                return;
            }
            closed = true;
            inFlight.computeIfPresent(tenant, (name, count) -> count <= 1 ? null : count - 1);
        }
    }

    /** One upload's buffers, used by one thread. */
    public final class Buffers
            implements AutoCloseable
    {
        private byte[] first;
        private int spares;

        private Buffers(byte[] first)
        {
            this.first = first;
        }

        public byte[] first()
        {
            if (first == null) {
                throw new IllegalStateException("the buffers were returned");
            }
            return first;
        }

        /** Another buffer for this upload, or null when it has its most or the budget has none free now. */
        public byte[] spare()
        {
            first();
            if (1 + spares >= buffersPerUpload || !buffersLeft.tryAcquire()) {
                return null;
            }
            spares++;
            return new byte[bufferSize];
        }

        @Override
        public void close()
        {
            if (first == null) {
                return;
            }
            // Only a first part buffer is kept for the next upload: an idle instance holds one buffer
            // per large upload it had at once; the spares and small bodies' buffers go to the collector.
            if (!closed && first.length == bufferSize) {
                pooled.offer(first);
            }
            first = null;
            buffersLeft.release(1 + spares);
        }
    }
}
