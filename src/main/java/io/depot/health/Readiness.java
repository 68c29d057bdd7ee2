package io.depot.health;

import io.depot.core.Throwables;
import io.depot.db.Migrations;
import io.depot.lifecycle.ShutdownState;
import io.depot.storage.ObjectStore;
import io.dropwizard.lifecycle.Managed;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Whether this instance may take traffic: PostgreSQL answers, the bucket is reachable and no
 * changeset of this release is pending. Evaluated in the background so that /ready answers at
 * once and a slow dependency cannot pile up probe threads; draining overrides it immediately.
 */
public class Readiness
        implements Managed
{
    private static final Logger log = LoggerFactory.getLogger(Readiness.class);

    public record State(boolean ready, Map<String, String> problems) {}

    private final Jdbi jdbi;
    private final ObjectStore objects;
    private final Migrations migrations;
    private final ShutdownState shutdown;
    private final long intervalMillis;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "readiness");
        thread.setDaemon(true);
        return thread;
    });
    private volatile State evaluated = new State(false, Map.of("startup", "readiness has not been evaluated yet"));
    // This release's changelog is fixed and migrations only ever add: once none is pending, none
    // can become pending while this process runs, so Liquibase (tens of milliseconds of queries) is
    // asked only until then and the database is merely pinged afterwards.
    private volatile boolean schemaCurrent;

    public Readiness(Jdbi jdbi, ObjectStore objects, Migrations migrations, ShutdownState shutdown, long intervalMillis)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.objects = requireNonNull(objects, "objects is null");
        this.migrations = requireNonNull(migrations, "migrations is null");
        this.shutdown = requireNonNull(shutdown, "shutdown is null");
        this.intervalMillis = intervalMillis;
    }

    public State current()
    {
        if (shutdown.isDraining()) {
            return new State(false, Map.of("draining", "the process is shutting down"));
        }
        return evaluated;
    }

    // The first evaluation (its PostgreSQL and Liquibase classes load then) runs beside the rest of
    // the start-up, Jersey's above all, instead of before it: /ready says "startup" until it is done.
    @Override
    public void start()
    {
        executor.scheduleWithFixedDelay(this::evaluate, 0, intervalMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop()
    {
        executor.shutdownNow();
    }

    void evaluate()
    {
        Map<String, String> problems = new LinkedHashMap<>();
        try {
            if (schemaCurrent) {
                jdbi.withHandle(handle -> handle.createQuery("SELECT 1").mapTo(Integer.class).one());
            }
            else {
                List<String> pending = migrations.pending(jdbi);
                if (pending.isEmpty()) {
                    schemaCurrent = true;
                }
                else {
                    problems.put("migrations", pending.size() + " changeset(s) pending: " + String.join(", ", pending));
                }
            }
        }
        catch (RuntimeException e) {
            problems.put("database", "PostgreSQL does not answer: " + Throwables.rootMessage(e));
        }
        try {
            objects.checkBucket();
        }
        catch (RuntimeException e) {
            problems.put("storage", "bucket " + objects.bucket() + " is not reachable: " + Throwables.rootMessage(e));
        }
        State next = new State(problems.isEmpty(), Map.copyOf(problems));
        if (next.ready() != evaluated.ready()) {
            if (next.ready()) {
                log.info("ready: database, storage and schema are in order");
            }
            else {
                log.warn("not ready: {}", problems);
            }
        }
        evaluated = next;
    }
}
