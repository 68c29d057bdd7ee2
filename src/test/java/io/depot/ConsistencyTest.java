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
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

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

    private Set<Path> objects()
    {
        return TestStack.get().objectFiles(APP.getConfiguration().getStorage().getBucket(), tenant);
    }

    private static boolean outboxHas(String key)
    {
        try (Connection connection = TestStack.get().connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM object_deletions WHERE object_key = '" + key + "'")) {
            rows.next();
            return rows.getInt(1) > 0;
        }
        catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
