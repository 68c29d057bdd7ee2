package io.depot.maintenance;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.IntSupplier;

import static java.util.Objects.requireNonNull;

/** A background pass on a schedule: it logs what it removed, and a failure waits for the next run instead of cancelling the schedule. */
public final class MaintenancePass
        implements Runnable
{
    private static final Logger log = LoggerFactory.getLogger(MaintenancePass.class);

    private final String name;
    private final IntSupplier pass;

    /** {@code pass} returns how many objects it removed. */
    public MaintenancePass(String name, IntSupplier pass)
    {
        this.name = requireNonNull(name, "name is null");
        this.pass = requireNonNull(pass, "pass is null");
    }

    @Override
    public void run()
    {
        try {
            int removed = pass.getAsInt();
            if (removed > 0) {
                log.info("{}: removed {} object(s)", name, removed);
            }
        }
        catch (RuntimeException e) {
            log.warn("{} pass failed, will retry: {}", name, e.toString());
        }
    }
}
