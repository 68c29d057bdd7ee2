package io.depot;

import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.depot.testing.DepotClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/** The upload buffer budget and the per-tenant cap, on a server whose budget is one part buffer and whose tenants may upload one file at a time. */
@ExtendWith(DropwizardExtensionsSupport.class)
class UploadCapacityApiTest
{
    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension(Map.of(
            "storage.partSize", "5MiB",
            "limits.uploadBufferBudget", "5MiB",
            "limits.uploadBufferWait", "300ms",
            "limits.uploadsPerTenant", "1"));

    @Test
    void aFullBudgetIs503AndATenantAtItsCapIs429UntilTheUploadInFlightEnds()
            throws Exception
    {
        DepotClient first = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));
        DepotClient second = new DepotClient(APP, DepotServer.createToken(DepotServer.newTenant()));
        Socket slow = startSlowUpload(first);
        try {
            HttpResponse<String> sameTenant = first.upload("more.txt", "text/plain", "more".getBytes());
            assertError(sameTenant, 429, "uploads in flight");
            assertThat(sameTenant.headers().firstValue("Retry-After")).contains("1");

            long started = System.nanoTime();
            HttpResponse<String> otherTenant = second.upload("other.txt", "text/plain", "other".getBytes());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertError(otherTenant, 503, "as many uploads as its memory allows");
            assertThat(otherTenant.headers().firstValue("Retry-After")).contains("1");
            assertThat(millis).as("waited for a buffer, boundedly").isBetween(250L, 2_000L);

            // Reads are not uploads: the tenant at its cap still lists.
            assertThat(first.get("/api/v1/assets").statusCode()).isEqualTo(200);
        }
        finally {
            slow.close();
        }
        waitForGauge("depot.upload.buffers.in-use", 0);
        // Both the buffer and the tenant's slot came back when the client went away.
        assertThat(first.upload("after.txt", "text/plain", "after".getBytes()).statusCode()).isEqualTo(201);
        assertThat(second.upload("after.txt", "text/plain", "after".getBytes()).statusCode()).isEqualTo(201);
    }

    /** An upload that announces 100 bytes and sends one: in flight until the socket closes. */
    private static Socket startSlowUpload(DepotClient client)
            throws IOException
    {
        HttpRequest request = client.authorized("/api/v1/assets?filename=slow.bin").build();
        URI uri = request.uri();
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        String head = "POST %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: %s\r\nContent-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\nx"
                .formatted(uri.getRawPath() + "?" + uri.getRawQuery(), uri.getHost(), uri.getPort(), request.headers().firstValue("Authorization").orElseThrow());
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        waitForGauge("depot.upload.buffers.in-use", 1);
        return socket;
    }

    private static void waitForGauge(String name, int value)
    {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!gauge(name).equals(value)) {
            assertThat(System.nanoTime()).as("%s reached %d", name, value).isLessThan(deadline);
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static Object gauge(String name)
    {
        return APP.getEnvironment().metrics().getGauges().get(name).getValue();
    }
}
