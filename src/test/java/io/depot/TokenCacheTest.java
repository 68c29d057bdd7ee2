package io.depot;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.depot.testing.TestStack;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-process token cache: a request asks PostgreSQL once per token, rechecks run in the background, revocation holds within the bound, tenants stay apart. */
@ExtendWith(DropwizardExtensionsSupport.class)
class TokenCacheTest
{
    private static final Duration BOUND = Duration.ofSeconds(2);

    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of("auth.tokenCacheTtl", BOUND.toSeconds() + "s"));

    @Test
    void aTokenIsCheckedInPostgresqlOncePerBound()
    {
        DepotClient client = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));
        long before = misses().getCount();
        for (int request = 0; request < 20; request++) {
            assertThat(client.get("/api/v1/assets").statusCode()).isEqualTo(200);
        }
        assertThat(misses().getCount() - before).isEqualTo(1);
    }

    @Test
    void aRevokedTokenIsRefusedWithinTheBoundAndStaysRefused()
    {
        String tenant = DepotServer.newTenant();
        DepotClient client = new DepotClient(APP, DepotServer.createToken(tenant));
        assertThat(client.get("/api/v1/assets").statusCode()).isEqualTo(200);

        long revoked = System.nanoTime();
        TestStack.get().execute("UPDATE api_tokens SET revoked_at = now() WHERE tenant = '" + tenant + "'");
        HttpResponse<String> answer;
        do {
            answer = client.get("/api/v1/assets");
        }
        while (answer.statusCode() == 200 && System.nanoTime() - revoked < BOUND.plusSeconds(1).toNanos());
        assertThat(answer.statusCode()).as("refused within %s of the revocation", BOUND).isEqualTo(401);
        for (int request = 0; request < 5; request++) {
            assertThat(client.get("/api/v1/assets").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aRefusedTokenIsNotKeptSoEachRequestIsCheckedAgain()
    {
        DepotClient stranger = new DepotClient(APP, "dpt_" + "B".repeat(43));
        long before = misses().getCount();
        for (int request = 0; request < 3; request++) {
            assertThat(stranger.get("/api/v1/assets").statusCode()).isEqualTo(401);
        }
        assertThat(misses().getCount() - before).isEqualTo(3);
    }

    @Test
    void cachedTokensKeepTenantsApart()
    {
        String first = DepotServer.newTenant();
        String second = DepotServer.newTenant();
        DepotClient firstClient = new DepotClient(APP, DepotServer.createToken(first));
        DepotClient secondClient = new DepotClient(APP, DepotServer.createToken(second));
        String id = DepotClient.json(firstClient.upload("mine.txt", "text/plain", "first's".getBytes())).get("id").asText();
        for (int round = 0; round < 3; round++) {
            assertThat(firstClient.get("/api/v1/assets/" + id).statusCode()).isEqualTo(200);
            assertThat(secondClient.get("/api/v1/assets/" + id).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aTokenInSteadyUseIsCheckedAgainInTheBackgroundAndNeverMissesTheCache()
            throws InterruptedException
    {
        DepotClient client = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));
        long missesBefore = misses().getCount();
        long lookupsBefore = lookups().getCount();
        long started = System.nanoTime();
        while (System.nanoTime() - started < BOUND.multipliedBy(2).toNanos()) {
            assertThat(client.get("/api/v1/assets").statusCode()).isEqualTo(200);
            Thread.sleep(50);
        }
        assertThat(misses().getCount() - missesBefore).as("looked up on a request's thread").isEqualTo(1);
        assertThat(lookups().getCount() - lookupsBefore).as("lookups, the background rechecks included").isGreaterThanOrEqualTo(3);
    }

    private static Meter misses()
    {
        return APP.getEnvironment().metrics().meter("depot.auth.cache.misses");
    }

    private static Counter lookups()
    {
        return APP.getEnvironment().metrics().counter("depot.auth.lookups");
    }
}
