package io.depot.process;

import io.depot.db.Migrations;
import io.depot.testing.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `db migrate` against a database the fleet is using: a migration that cannot get its table lock
 * gives up instead of queueing the fleet behind it, and two migrations at once apply each
 * changeset once (the second waits for the first, then applies nothing).
 */
class MigrateIT
{
    // An expand on a table the service uses: it needs an ACCESS EXCLUSIVE lock on assets, briefly.
    private static final String ADD_COLUMN = """
                <changeSet id="migrate-it-note" author="depot-test" labels="release:99.0.0">
                    <sql>ALTER TABLE assets ADD COLUMN migrate_it_note text</sql>
                </changeSet>
            """;
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    @TempDir
    Path directory;

    @Test
    void migrationGivesUpOnABusyTableInsteadOfQueueing()
            throws Exception
    {
        String url = migratedDatabase("locktimeout");
        Path release = DepotJar.withChangeSets(directory, ADD_COLUMN);
        try (Connection holder = TestStack.get().connect(url)) {
            holdAssetsLock(holder);
            long started = System.nanoTime();
            CommandResult blocked = DepotJar.run(release, Map.of("DEPOT_DB_URL", url, "DEPOT_MIGRATION_LOCK_TIMEOUT", "1s"), "db", "migrate", DepotJar.config());
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(blocked.exitCode()).as("%s", blocked).isNotZero();
            assertThat(blocked.stdout() + blocked.stderr()).as("%s", blocked).contains("lock timeout");
            assertThat(took).as("gave up after the 1 s lock timeout, not a queue").isLessThan(Duration.ofSeconds(60));
            holder.rollback();
        }
        assertThat(applied(url, "migrate-it-note")).isZero();
        // The failed run released Liquibase's changelog lock: the next one applies the changeset.
        CommandResult retried = DepotJar.run(release, Map.of("DEPOT_DB_URL", url), "db", "migrate", DepotJar.config());
        assertThat(retried.exitCode()).as("%s", retried).isZero();
        assertThat(applied(url, "migrate-it-note")).isOne();
    }

    @Test
    void secondMigrateWaitsForTheFirstThenAppliesNothing()
            throws Exception
    {
        String url = migratedDatabase("concurrent");
        Path release = DepotJar.withChangeSets(directory, ADD_COLUMN);
        Map<String, String> environment = Map.of("DEPOT_DB_URL", url, "DEPOT_MIGRATION_LOCK_TIMEOUT", "2m");
        CompletableFuture<CommandResult> first;
        CompletableFuture<CommandResult> second;
        try (Connection holder = TestStack.get().connect(url)) {
            // The first migration takes Liquibase's changelog lock, then waits for the table.
            holdAssetsLock(holder);
            first = CompletableFuture.supplyAsync(() -> DepotJar.run(release, environment, "db", "migrate", DepotJar.config()));
            awaitWaitingForLock(url);
            second = CompletableFuture.supplyAsync(() -> DepotJar.run(release, environment, "db", "migrate", DepotJar.config()));
            // Several of the second's lock polls (every 2 s): it must still be waiting, not applying.
            Thread.sleep(8_000);
            assertThat(second).as("second db migrate while the first holds the changelog lock").isNotDone();
            assertThat(first).as("first db migrate while the table is locked").isNotDone();
            holder.rollback();
        }
        CommandResult firstResult = first.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        CommandResult secondResult = second.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(firstResult.exitCode()).as("%s", firstResult).isZero();
        assertThat(secondResult.exitCode()).as("%s", secondResult).isZero();
        assertThat(firstResult.stdout()).as("%s", firstResult).containsPattern("Run:\\s+1\\b");
        assertThat(secondResult.stdout()).as("%s", secondResult).containsPattern("Run:\\s+0\\b")
                // Every changeset the jar's own changelog declares, and the one this test adds.
                .containsPattern("Previously run:\\s+" + (Migrations.load().declared().size() + 1) + "\\b");
        assertThat(applied(url, "migrate-it-note")).isOne();
    }

    private static String migratedDatabase(String prefix)
    {
        String url = TestStack.get().createDatabase(prefix);
        CommandResult migrated = DepotJar.run(Map.of("DEPOT_DB_URL", url), "db", "migrate", DepotJar.config());
        assertThat(migrated.exitCode()).as("%s", migrated).isZero();
        return url;
    }

    /** An open transaction holding what a long-running statement of the fleet would hold. */
    private static void holdAssetsLock(Connection connection)
            throws SQLException
    {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("LOCK TABLE assets IN ACCESS EXCLUSIVE MODE");
        }
    }

    private static void awaitWaitingForLock(String url)
            throws Exception
    {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection connection = TestStack.get().connect(url); Statement statement = connection.createStatement();
                    ResultSet waiting = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'ALTER TABLE assets%'")) {
                waiting.next();
                if (waiting.getInt(1) > 0) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the first db migrate never waited for the assets lock");
    }

    private static int applied(String url, String id)
            throws SQLException
    {
        try (Connection connection = TestStack.get().connect(url); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM databasechangelog WHERE id = '" + id + "'")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
