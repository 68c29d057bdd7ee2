package io.depot;

import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.util.Map;

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

    private static HttpResponse<String> list(String token)
    {
        return new DepotClient(APP, token).get("/api/v1/assets");
    }
}
