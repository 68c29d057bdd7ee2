package io.depot;

import com.fasterxml.jackson.databind.JsonNode;
import io.depot.db.Migrations;
import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.depot.testing.TestStack;
import io.depot.testing.Wait;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.depot.testing.DepotClient.assertError;
import static io.depot.testing.DepotClient.json;
import static io.depot.testing.DepotClient.send;
import static io.depot.testing.DepotServer.admin;
import static io.depot.testing.DepotServer.uri;
import static io.depot.testing.Wait.until;
import static org.assertj.core.api.Assertions.assertThat;

/** The admin side the load balancer and operators rely on, with real dependencies failing and returning. */
@ExtendWith(DropwizardExtensionsSupport.class)
class ReadinessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension();

    private final DepotClient client = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));

    @Test
    void readyLiveAndVersionAnswerOnTheAdminPortOnly()
            throws Exception
    {
        // The first evaluation runs beside the start-up: until it is done, /ready says so.
        until("/ready to turn 200", TIMEOUT, () -> readyStatus() == 200);
        HttpResponse<String> ready = send(HttpRequest.newBuilder(admin(APP, "/ready")).build());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).get("ready").asBoolean()).isTrue();
        assertThat(ready.headers().firstValue("Cache-Control")).hasValue("no-store");

        assertThat(send(HttpRequest.newBuilder(admin(APP, "/live")).build()).statusCode()).isEqualTo(200);
        JsonNode version = json(send(HttpRequest.newBuilder(admin(APP, "/version")).build()));
        assertThat(version.fieldNames()).toIterable().containsExactlyInAnyOrder("version", "commit", "sha256", "startedAt");

        for (String path : List.of("/ready", "/live", "/version", "/metrics", "/healthcheck")) {
            assertThat(send(HttpRequest.newBuilder(uri(APP, path)).build()).statusCode()).as(path + " on the application port").isEqualTo(404);
        }
    }

    @Test
    // JVM gauges are registered by the jar's bootstrap, which the in-process harness skips: MetricsIT checks them.
    void prometheusMetricsCoverJettyJdbiEndpointsAndDepot()
    {
        client.upload("m.txt", "text/plain", "metrics".getBytes(StandardCharsets.UTF_8));
        client.get("/api/v1/assets");
        HttpResponse<String> metrics = send(HttpRequest.newBuilder(admin(APP, "/metrics")).build());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(metrics.body())
                .contains("org_eclipse_jetty_util_thread_QueuedThreadPool_dw_utilization")
                .contains("io_dropwizard_jetty_MutableServletContextHandler_requests")
                .contains("io_depot_db_AssetDao_insert")
                .contains("io_depot_resources_AssetsResource_upload")
                .contains("depot_upload_bytes_total 7.0")
                .contains("depot_cache_hits_total")
                .contains("depot_cache_misses_total")
                .contains("depot_ratelimit_rejections_total")
                .contains("depot_redis_available 1.0");
    }

    @Test
    void aScraperOfferingProtobufFirstGetsText()
    {
        // As Prometheus asks with native histograms on; protobuf is not in the jar.
        for (String accept : new String[] {
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,text/plain;version=0.0.4;q=0.3,*/*;q=0.1",
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"}) {
            HttpResponse<String> metrics = send(HttpRequest.newBuilder(admin(APP, "/metrics")).header("Accept", accept).build());
            assertThat(metrics.statusCode()).as(accept).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
            assertThat(metrics.body()).contains("depot_redis_available");
        }
    }

    @Test
    void postgresqlDownIsUnreadyAndA503ThenRecovers()
            throws Exception
    {
        TestStack stack = TestStack.get();
        stack.stop("postgres");
        try {
            until("/ready to turn 503", TIMEOUT, () -> readyStatus() == 503);
            assertThat(json(send(HttpRequest.newBuilder(admin(APP, "/ready")).build())).get("problems").get("database").asText())
                    .startsWith("PostgreSQL does not answer");
            assertError(client.get("/api/v1/assets"), 503, "database is unavailable");
            assertThat(send(HttpRequest.newBuilder(admin(APP, "/live")).build()).statusCode()).isEqualTo(200);
        }
        finally {
            stack.start("postgres");
        }
        until("/ready to return to 200", TIMEOUT, () -> readyStatus() == 200);
        assertThat(client.get("/api/v1/assets").statusCode()).isEqualTo(200);
    }

    @Test
    void s3DownIsUnreadyAndUploadsAre503WithoutARow()
            throws Exception
    {
        TestStack stack = TestStack.get();
        stack.stop("s3");
        try {
            until("/ready to turn 503", TIMEOUT, () -> readyStatus() == 503);
            assertThat(json(send(HttpRequest.newBuilder(admin(APP, "/ready")).build())).get("problems").has("storage")).isTrue();
            assertError(client.upload("x.txt", "text/plain", "x".getBytes(StandardCharsets.UTF_8)), 503, "object storage is unavailable");
        }
        finally {
            stack.start("s3");
        }
        until("/ready to return to 200", TIMEOUT, () -> readyStatus() == 200);
        assertThat(json(client.get("/api/v1/assets")).get("items")).isEmpty();
    }

    @Test
    void redisDownDegradesButStaysReady()
            throws Exception
    {
        String id = json(client.upload("r.txt", "text/plain", "redis".getBytes(StandardCharsets.UTF_8))).get("id").asText();
        TestStack stack = TestStack.get();
        stack.stop("redis");
        try {
            for (int request = 0; request < 5; request++) {
                HttpResponse<String> read = client.get("/api/v1/assets/" + id);
                assertThat(read.statusCode()).isEqualTo(200);
            }
            HttpResponse<String> upload = send(client.uploadRequest("r2.txt", "text/plain", "still".getBytes(StandardCharsets.UTF_8)).header("Idempotency-Key", "while-redis-is-down").build());
            assertThat(upload.statusCode()).isEqualTo(201);
            HttpResponse<String> ready = send(HttpRequest.newBuilder(admin(APP, "/ready")).build());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(json(ready).get("degraded").get(0).asText()).startsWith("redis: unreachable");
            assertThat(send(HttpRequest.newBuilder(admin(APP, "/healthcheck")).build()).body()).contains("\"redis\"").contains("unreachable");
        }
        finally {
            stack.start("redis");
        }
        until("Redis to be used again", TIMEOUT, () -> {
            client.get("/api/v1/assets/" + id);
            return readyBody().contains("\"degraded\":[]");
        });
    }

    @Test
    void aPendingChangesetKeepsANewInstanceUnreadyUntilMigrated()
            throws Exception
    {
        String database = TestStack.get().createDatabase("pending");
        List<ConfigOverride> fresh = DepotServer.overrides(TestStack.get(), Map.of("database.url", database));
        DropwizardAppExtension<DepotConfiguration> unmigrated = DepotServer.unmigrated(TestStack.get(), fresh);
        unmigrated.before();
        try {
            HttpResponse<String> ready = Wait.forValue("/ready's first evaluation", TIMEOUT, () -> {
                HttpResponse<String> response = send(HttpRequest.newBuilder(admin(unmigrated, "/ready")).build());
                return json(response).path("problems").has("startup") ? Optional.empty() : Optional.of(response);
            }, () -> "");
            assertThat(ready.statusCode()).isEqualTo(503);
            // Every changeset the changelog declares, by Liquibase's own reading of it: none is applied yet.
            List<String> declared = Migrations.load().declared();
            assertThat(declared).first().isEqualTo("1-api-tokens::depot");
            assertThat(json(ready).get("problems").get("migrations").asText())
                    .isEqualTo(declared.size() + " changeset(s) pending: " + String.join(", ", declared));

            DepotServer.migrate(TestStack.get(), fresh);
            until("/ready to turn 200 after db migrate", TIMEOUT, () -> send(HttpRequest.newBuilder(admin(unmigrated, "/ready")).build()).statusCode() == 200);
        }
        finally {
            unmigrated.after();
        }
    }

    private static int readyStatus()
    {
        return send(HttpRequest.newBuilder(admin(APP, "/ready")).build()).statusCode();
    }

    private static String readyBody()
    {
        return send(HttpRequest.newBuilder(admin(APP, "/ready")).build()).body();
    }
}
