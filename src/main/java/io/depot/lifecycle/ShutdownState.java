package io.depot.lifecycle;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Set once, when SIGTERM arrives: from then on the instance reports not ready while it drains.
 * The drain window exists for whoever routes here to notice; once nothing can route here any
 * more (the host's nginx switched to the other colour and its old workers are gone), it is
 * skipped.
 */
public class ShutdownState
{
    private final AtomicBoolean draining = new AtomicBoolean();
    private final CountDownLatch unrouted = new CountDownLatch(1);

    /** True for the one call that starts the drain; later calls (a second SIGTERM) change nothing. */
    public boolean startDraining()
    {
        return draining.compareAndSet(false, true);
    }

    public boolean isDraining()
    {
        return draining.get();
    }

    /** Nothing routes requests here any more: a drain under way or to come ends at once. */
    public void markUnrouted()
    {
        unrouted.countDown();
    }

    public boolean isUnrouted()
    {
        return unrouted.getCount() == 0;
    }

    /** Waits out the drain window, or less once unrouted; true when it ended early for that. */
    public boolean awaitDrainWindow(Duration window)
            throws InterruptedException
    {
        return unrouted.await(window.toNanos(), TimeUnit.NANOSECONDS);
    }
}
