package io.depot.maintenance;

import io.depot.db.OutboxDao;
import io.depot.storage.ObjectStore;
import org.jdbi.v3.core.Jdbi;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** Retries object deletions whose first attempt failed, with exponential back-off kept in the table. */
public class OutboxWorker
{
    private static final int BATCH = 100;

    private final Jdbi jdbi;
    private final ObjectStore objects;

    public OutboxWorker(Jdbi jdbi, ObjectStore objects)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.objects = requireNonNull(objects, "objects is null");
    }

    /** One pass; returns how many objects it removed. Rows are locked so that instances share the work. */
    public int drainOnce()
    {
        return jdbi.inTransaction(handle -> {
            OutboxDao outbox = handle.attach(OutboxDao.class);
            List<String> due = outbox.lockDue(BATCH);
            int removed = 0;
            for (String key : due) {
                try {
                    objects.delete(key);
                    outbox.done(key);
                    removed++;
                }
                catch (RuntimeException e) {
                    outbox.failed(key, e.toString());
                }
            }
            return removed;
        });
    }
}
