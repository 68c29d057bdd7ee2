package io.depot.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.testing.DepotServer;
import io.depot.testing.OneShotHttp;
import io.depot.testing.Wait;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What people on call read, from the real jar: JSON logs on stdout, request lines with the real
 * client address and the request id, probes left out, and Prometheus metrics including the JVM.
 */
class ObservabilityIT
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void requestLogAndMetricsAsAnOperatorSeesThem()
            throws Exception
    {
        assertThat(DepotJar.run("db", "migrate", DepotJar.config()).exitCode()).isZero();
        String token = DepotServer.createToken(DepotServer.newTenant());
        try (ServerProcess server = DepotJar.startServer("observability", Map.of())) {
            server.awaitReady(Duration.ofSeconds(120));
            for (int probe = 0; probe < 3; probe++) {
                assertThat(OneShotHttp.get(server.adminPort(), "/ready", Map.of()).status()).isEqualTo(200);
                assertThat(OneShotHttp.get(server.adminPort(), "/live", Map.of()).status()).isEqualTo(200);
            }
            // As nginx forwards it: the client's address, the scheme, and nginx's request id.
            OneShotHttp.Exchange forwarded = OneShotHttp.get(server.appPort(), "/api/v1/assets", Map.of(
                    "Authorization", "Bearer " + token,
                    "X-Forwarded-For", "203.0.113.7",
                    "X-Forwarded-Proto", "https",
                    "X-Request-Id", "nginx-0123456789abcdef"));
            assertThat(forwarded.status()).isEqualTo(200);

            OneShotHttp.Exchange metrics = OneShotHttp.get(server.adminPort(), "/metrics", Map.of());
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("jvm_memory_heap_used").contains("jvm_threads_count").contains("jvm_gc_");

            JsonNode requestLine = awaitLine(server, line -> line.path("uri").asText().equals("/api/v1/assets"));
            assertThat(requestLine.get("remoteAddress").asText()).isEqualTo("203.0.113.7");
            assertThat(requestLine.get("method").asText()).isEqualTo("GET");
            assertThat(requestLine.get("status").asInt()).isEqualTo(200);
            assertThat(requestLine.has("requestTime")).isTrue();
            assertThat(requestLine.has("contentLength")).isTrue();
            assertThat(requestLine.get("responseHeaders").get("X-Request-Id").asText()).isEqualTo("nginx-0123456789abcdef");

            List<JsonNode> lines = jsonLines(server);
            assertThat(lines).as("every line on stdout is a JSON object").hasSize(server.logLines().size());
            assertThat(lines).as("probes are not request-logged")
                    .noneMatch(line -> List.of("/ready", "/live", "/metrics").contains(line.path("uri").asText()));
            assertThat(lines).as("application log lines").anyMatch(line -> line.has("level") && line.has("logger"));
        }
    }

    private static JsonNode awaitLine(ServerProcess server, java.util.function.Predicate<JsonNode> wanted)
    {
        return Wait.forValue("such a log line", Duration.ofSeconds(10), () -> jsonLines(server).stream().filter(wanted).findFirst(), server::logTail);
    }

    private static List<JsonNode> jsonLines(ServerProcess server)
    {
        return server.logLines().stream().filter(line -> !line.isBlank()).map(line -> {
            try {
                return JSON.readTree(line);
            }
            catch (Exception e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }).toList();
    }
}
