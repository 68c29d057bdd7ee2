package io.depot.core;

import java.util.concurrent.atomic.AtomicReference;
import java.time.Instant;

/** Set once, when SIGTERM arrives: from then on the instance reports not ready while it drains. */
public class ShutdownState
{
    private final AtomicReference<Instant> drainingSince = new AtomicReference<>();

    public void startDraining(Instant now)
    {
        drainingSince.compareAndSet(null, now);
    }

    public boolean isDraining()
    {
        return drainingSince.get() != null;
    }
}
