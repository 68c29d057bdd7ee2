package io.depot.maintenance;

import io.depot.core.AssetService;
import io.depot.db.AssetDao;
import io.depot.db.UploadDao;
import io.depot.storage.ObjectStore;
import io.depot.storage.ObjectSummary;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * Removes objects no row points at (an upload whose row never got written and whose immediate
 * clean-up failed). Only objects older than the orphan age, so uploads in flight are safe; one
 * instance at a time, under a PostgreSQL advisory lock.
 */
public class Reconciler
{
    private static final long LOCK_ID = 0x4465706f74L; // "Depot"

    private final Jdbi jdbi;
    private final ObjectStore objects;
    private final Clock clock;
    private final Duration orphanAge;

    public Reconciler(Jdbi jdbi, ObjectStore objects, Clock clock, Duration orphanAge)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.objects = requireNonNull(objects, "objects is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.orphanAge = requireNonNull(orphanAge, "orphanAge is null");
    }

    /** One pass; returns how many orphaned objects it removed (0 when another instance holds the lock). */
    public int reconcileOnce()
    {
        return jdbi.withHandle(handle -> {
            if (!handle.createQuery("SELECT pg_try_advisory_lock(:id)").bind("id", LOCK_ID).mapTo(Boolean.class).one()) {
                return 0;
            }
            try {
                Instant cutoff = clock.instant().minus(orphanAge);
                handle.attach(UploadDao.class).deleteExpired(cutoff.atOffset(ZoneOffset.UTC));
                AtomicInteger removed = new AtomicInteger();
                objects.forEachPage("tenants/", page -> {
                    List<String> keys = page.stream()
                            .filter(object -> object.lastModified().isBefore(cutoff) && AssetService.isObjectKey(object.key()))
                            .map(ObjectSummary::key)
                            .toList();
                    if (keys.isEmpty()) {
                        return;
                    }
                    Set<String> referenced = new HashSet<>(handle.attach(AssetDao.class).referencedObjectKeys(keys.toArray(String[]::new)));
                    for (String key : keys) {
                        if (!referenced.contains(key)) {
                            objects.delete(key);
                            removed.incrementAndGet();
                        }
                    }
                });
                return removed.get();
            }
            finally {
                handle.createQuery("SELECT pg_advisory_unlock(:id)").bind("id", LOCK_ID).mapTo(Boolean.class).one();
            }
        });
    }
}
