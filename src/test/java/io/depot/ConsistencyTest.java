package io.depot;

import io.depot.core.AssetService;
import io.depot.maintenance.Reconciler;
import io.depot.storage.ObjectStore;
import io.depot.testing.Contents;
import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.depot.testing.TestStack;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import com.fasterxml.jackson.databind.JsonNode;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.depot.testing.DepotClient.assertError;
import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static io.depot.testing.Wait.until;
import static org.assertj.core.api.Assertions.assertThat;

/** Nothing half-written: no row without its object, and objects without rows do not stay. */
@ExtendWith(DropwizardExtensionsSupport.class)
class ConsistencyTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(45);

    // Its own bucket: with an orphan age of seconds, the reconciler must not see other tests' uploads in flight.
    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of(
            "storage.bucket", TestStack.get().createBucket("consistency"),
            "maintenance.outboxInterval", "1s",
            // The test runs reconciler passes itself; the scheduled one would only take the lock from it.
            "maintenance.reconcileInterval", "1h"));

    private final String tenant = DepotServer.newTenant();
    private final DepotClient client = new DepotClient(APP, DepotServer.createToken(tenant));

    @Test
    void aFailedRowInsertTakesItsObjectWithIt()
            throws Exception
    {
        // A real failure inside PostgreSQL, for this tenant only.
        String trigger = "fail_" + tenant.replace('-', '_');
        TestStack.get().execute("""
                CREATE FUNCTION %1$s() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.tenant = '%2$s' THEN RAISE EXCEPTION 'simulated insert failure'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER %1$s BEFORE INSERT ON assets FOR EACH ROW EXECUTE FUNCTION %1$s();
                """.formatted(trigger, tenant));
        try {
            assertError(client.upload("small.txt", "application/octet-stream", "hello".getBytes()), 503, "nothing was stored");
            assertError(client.upload("multipart.bin", "application/octet-stream", Contents.random(9 * 1024 * 1024)), 503, "nothing was stored");
        }
        finally {
            TestStack.get().execute("DROP TRIGGER %1$s ON assets; DROP FUNCTION %1$s();".formatted(trigger));
        }
        assertThat(objects()).isEmpty();
        assertThat(json(send(client.authorized("/api/v1/assets").build())).get("items")).isEmpty();
        assertThat(client.upload("after.txt", "application/octet-stream", "fine".getBytes()).statusCode()).isEqualTo(201);
    }

    @Test
    void aDeleteWhileS3IsDownFinishesThroughTheOutbox()
            throws Exception
    {
        String id = json(client.upload("later.txt", "application/octet-stream", "delete me".getBytes())).get("id").asText();
        String key = AssetService.objectKey(tenant, UUID.fromString(id));
        TestStack stack = TestStack.get();
        stack.stop("s3");
        try {
            assertThat(send(client.authorized("/api/v1/assets/" + id).DELETE().build()).statusCode()).isEqualTo(204);
            assertThat(send(client.authorized("/api/v1/assets/" + id).build()).statusCode()).isEqualTo(404);
            assertThat(outboxHas(key)).isTrue();
        }
        finally {
            stack.start("s3");
        }
        until("the outbox to delete the object", TIMEOUT, () -> !outboxHas(key));
        assertThat(objects()).isEmpty();
    }

    @Test
    void theReconcilerRemovesOldObjectsWithoutARowAndKeepsTheRest()
            throws Exception
    {
        String kept = json(client.upload("kept.txt", "application/octet-stream", "kept".getBytes())).get("id").asText();
        String orphanKey = AssetService.objectKey(tenant, UUID.randomUUID());
        Map<String, String> stack = TestStack.get().environment();
        Jdbi jdbi = Jdbi.create(stack.get("DEPOT_DB_URL"), stack.get("DEPOT_DB_USER"), stack.get("DEPOT_DB_PASSWORD")).installPlugin(new SqlObjectPlugin());
        try (ObjectStore objects = new ObjectStore(APP.getConfiguration().getStorage())) {
            objects.putSmall(orphanKey, "orphan".getBytes());
            Reconciler young = new Reconciler(jdbi, objects, Clock.systemUTC(), Duration.ofHours(1));
            assertThat(young.reconcileOnce()).as("an orphan younger than the orphan age stays").isZero();
            assertThat(objects.size(orphanKey)).isPresent();

            Reconciler old = new Reconciler(jdbi, objects, Clock.offset(Clock.systemUTC(), Duration.ofHours(2)), Duration.ofHours(1));
            // Keys Depot did not make are never touched, whatever their age.
            objects.putSmall("tenants/" + tenant + "/notes.txt", "not an asset".getBytes());
            assertThat(old.reconcileOnce()).isEqualTo(1);
            assertThat(objects.size("tenants/" + tenant + "/notes.txt")).isPresent();
            assertThat(objects.size(orphanKey)).isEmpty();
            assertThat(objects.size(AssetService.objectKey(tenant, UUID.fromString(kept)))).isPresent();
        }
        assertThat(send(client.authorized("/api/v1/assets/" + kept + "/content").build()).statusCode()).isEqualTo(302);
    }

    /**
     * The reconciler racing /complete, forced: a pass of the reconciler is replayed once per
     * statement it runs, and each time the real /complete of a fresh upload commits right after
     * that statement (the hook runs it from the reconciler's own thread, so the pass waits for
     * it). Whatever statement the commit follows, the object stays, the asset serves its bytes
     * and the ticket is gone: no live object deleted, no row without its object.
     */
    @Test
    void aCompleteCommittingBetweenAnyTwoStatementsOfAReconcilerPassKeepsItsObject()
            throws Exception
    {
        Map<String, String> stack = TestStack.get().environment();
        Jdbi jdbi = Jdbi.create(stack.get("DEPOT_DB_URL"), stack.get("DEPOT_DB_USER"), stack.get("DEPOT_DB_PASSWORD")).installPlugin(new SqlObjectPlugin());
        AtomicInteger statements = new AtomicInteger();
        AtomicInteger completeAfter = new AtomicInteger();
        AtomicReference<Runnable> complete = new AtomicReference<>();
        jdbi.setSqlLogger(new SqlLogger()
        {
            @Override
            public void logAfterExecution(StatementContext context)
            {
                if (statements.incrementAndGet() == completeAfter.get()) {
                    complete.getAndSet(() -> {}).run();
                }
            }
        });
        // An hour's orphan age seen from 61 minutes on: every fresh object is old enough to remove, no ticket has expired.
        try (ObjectStore objects = new ObjectStore(APP.getConfiguration().getStorage())) {
            Reconciler reconciler = new Reconciler(jdbi, objects, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(61)), Duration.ofHours(1));
            int passStatements = Integer.MAX_VALUE;
            for (int point = 1; point <= passStatements; point++) {
                byte[] content = Contents.random(1000 + point);
                HttpResponse<String> announced = send(client.announcement("{\"filename\":\"raced.bin\",\"contentType\":\"application/octet-stream\",\"size\":%d}"
                        .formatted(content.length)).build());
                assertThat(announced.statusCode()).as(announced.body()).isEqualTo(201);
                JsonNode ticket = json(announced);
                String uploadId = ticket.get("uploadId").asText();
                assertThat(send(DepotClient.presignedPut(ticket, content).build()).statusCode()).isEqualTo(200);
                AtomicReference<HttpResponse<String>> completed = new AtomicReference<>();
                complete.set(() -> completed.set(client.complete(uploadId)));
                statements.set(0);
                completeAfter.set(point);

                reconciler.reconcileOnce();
                passStatements = statements.get();
                assertThat(completed.get()).as("/complete ran during the pass, after statement %d of %d", point, passStatements).isNotNull();
                assertThat(completed.get().statusCode()).as(completed.get().body()).isEqualTo(201);
                assertThat(objects.size(AssetService.objectKey(tenant, UUID.fromString(uploadId)))).as("the object of the asset completed after statement %d", point)
                        .hasValue((long) content.length);
                assertThat(client.download(uploadId)).as("the object behind the asset completed after statement %d", point).isEqualTo(content);
                assertThat(count("SELECT count(*) FROM uploads WHERE id = '" + uploadId + "'")).as("tickets left").isZero();
            }
            assertThat(passStatements).as("a pass: lock, expired tickets, the reference check, unlock").isGreaterThanOrEqualTo(4);
        }
    }

    private Set<Path> objects()
    {
        return TestStack.get().objectFiles(APP.getConfiguration().getStorage().getBucket(), tenant);
    }

    private static boolean outboxHas(String key)
    {
        return count("SELECT count(*) FROM object_deletions WHERE object_key = '" + key + "'") > 0;
    }

    private static int count(String query)
    {
        try (Connection connection = TestStack.get().connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(query)) {
            rows.next();
            return rows.getInt(1);
        }
        catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
