package io.depot;

import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.OptionalInt;

import static io.depot.testing.DepotClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(DropwizardExtensionsSupport.class)
class RateLimitTest
{
    private static final int LIMIT = 5;

    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of(
            "limits.requestsPerWindow", String.valueOf(LIMIT),
            "limits.rateLimitWindow", "1h"));

    @Test
    void eachTokenGetsItsOwnBudgetThen429WithRetryAfter()
            throws Exception
    {
        String tenant = DepotServer.newTenant();
        String first = DepotServer.createToken(tenant);
        String second = DepotServer.createToken(tenant);
        for (int request = 0; request < LIMIT; request++) {
            assertThat(list(first).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = list(first);
        assertError(limited, 429, "rate limit of 5 requests per window exceeded");
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 3600L);

        assertThat(list(second).statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenWithAHigherLimitOfItsOwnPassesWhereAConfiguredOneGets429()
    {
        String tenant = DepotServer.newTenant();
        String configured = DepotServer.createToken(tenant);
        String own = DepotServer.createToken(tenant, OptionalInt.of(LIMIT * 2));
        for (int request = 0; request < LIMIT; request++) {
            assertThat(list(configured).statusCode()).isEqualTo(200);
            assertThat(list(own).statusCode()).isEqualTo(200);
        }
        assertError(list(configured), 429, "rate limit of 5 requests per window exceeded");
        for (int request = LIMIT; request < LIMIT * 2; request++) {
            assertThat(list(own).statusCode()).as("request %d of a token allowed %d", request + 1, LIMIT * 2).isEqualTo(200);
        }
        assertError(list(own), 429, "rate limit of 10 requests per window exceeded");
    }

    @Test
    void aTokenWithALowerLimitOfItsOwnGets429AtIt()
    {
        String own = DepotServer.createToken(DepotServer.newTenant(), OptionalInt.of(2));
        for (int request = 0; request < 2; request++) {
            assertThat(list(own).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = list(own);
        assertError(limited, 429, "rate limit of 2 requests per window exceeded");
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    }

    private static HttpResponse<String> list(String token)
    {
        return new DepotClient(APP, token).get("/api/v1/assets");
    }
}
