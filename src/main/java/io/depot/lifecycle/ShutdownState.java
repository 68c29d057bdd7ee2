package io.depot.lifecycle;

import java.util.concurrent.atomic.AtomicBoolean;

/** Set once, when SIGTERM arrives: from then on the instance reports not ready while it drains. */
public class ShutdownState
{
    private final AtomicBoolean draining = new AtomicBoolean();

    /** True for the one call that starts the drain; later calls (a second SIGTERM) change nothing. */
    public boolean startDraining()
    {
        return draining.compareAndSet(false, true);
    }

    public boolean isDraining()
    {
        return draining.get();
    }
}
