package io.depot.process;

import io.depot.testing.DepotClient;
import io.depot.testing.DepotServer;
import io.depot.testing.OneShotHttp;
import io.depot.testing.TestStack;
import io.depot.testing.Wait;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SIGTERM contract, on the real jar: /ready turns 503 at once, every request sent before
 * the listener closed gets a complete 2xx, and the process exits 0 within drain + grace; an
 * upload in flight that outlasts drain + grace still finishes, within the upload finish window.
 */
class DrainIT
{
    private static final int DRIVERS = 4;
    private static final Duration READY_503_BOUND = Duration.ofMillis(200);
    private static final Duration ACCEPT_QUEUE_WINDOW = Duration.ofMillis(50);
    /** The slow uploads' size in {@link SlowBody#CHUNK}s: two minutes at a chunk a second, far longer than the windows. */
    private static final int CUT_CHUNKS = 120;

    private record Sent(long sentNanos, OneShotHttp.Exchange exchange) {}

    @Test
    void sigtermDrainsThenExitsZero()
            throws Exception
    {
        LifecycleEnv lifecycle = LifecycleEnv.read(TestStack.get().repository());
        Duration drain = lifecycle.seconds("DRAIN_WINDOW_SECONDS");
        Duration grace = lifecycle.seconds("GRACE_PERIOD_SECONDS");
        CommandResult migrate = DepotJar.run("db", "migrate", DepotJar.config());
        assertThat(migrate.exitCode()).as("%s", migrate).isZero();
        Map<String, String> auth = Map.of("Authorization", "Bearer " + DepotServer.createToken(DepotServer.newTenant()));

        Queue<Sent> sent = new ConcurrentLinkedQueue<>();
        AtomicBoolean driving = new AtomicBoolean(true);
        // The drivers send far more than a tenant's per-minute allowance; the rate limit is not under test.
        try (ServerProcess server = DepotJar.startServer("drain", Map.of("DEPOT_RATE_LIMIT", Integer.toString(Integer.MAX_VALUE)))) {
            Duration startup = server.awaitReady(Duration.ofSeconds(120));
            List<Thread> drivers = new ArrayList<>();
            for (int i = 0; i < DRIVERS; i++) {
                Thread driver = new Thread(() -> {
                    while (driving.get()) {
                        long sentNanos = System.nanoTime();
                        sent.add(new Sent(sentNanos, OneShotHttp.get(server.appPort(), "/api/v1/assets", auth)));
                    }
                }, "driver-" + i);
                driver.start();
                drivers.add(driver);
            }
            // At least two seconds of traffic, and at least one answer: a cold JVM on a busy machine takes seconds for its first.
            Wait.sleep(Duration.ofSeconds(2));
            Wait.until("a complete 2xx before SIGTERM", Duration.ofSeconds(60), () -> sent.stream().anyMatch(s -> s.exchange().complete2xx()));
            assertThat(sent).as("requests before SIGTERM").anyMatch(s -> s.exchange().complete2xx());

            // The bound counts from when the signal has certainly been sent; the call's own time is printed.
            long termNanos = System.nanoTime();
            server.terminate();
            long deliveredNanos = System.nanoTime();
            int readyStatus;
            do {
                readyStatus = server.readyStatus();
            }
            while (readyStatus == 200 && System.nanoTime() - deliveredNanos < Duration.ofSeconds(5).toNanos());
            Duration toUnready = Duration.ofNanos(System.nanoTime() - deliveredNanos);

            boolean exited = server.waitForExit(drain.plus(grace).plusSeconds(10));
            Duration toExit = Duration.ofNanos(System.nanoTime() - termNanos);
            driving.set(false);
            for (Thread driver : drivers) {
                driver.join();
            }

            List<Sent> all = List.copyOf(sent);
            long closedNanos = all.stream()
                    .filter(s -> s.exchange().outcome() == OneShotHttp.Outcome.REFUSED)
                    .mapToLong(Sent::sentNanos).min().orElse(Long.MAX_VALUE);
            List<Sent> beforeClose = all.stream().filter(s -> s.sentNanos() < closedNanos).toList();
            // A connection still in the kernel's accept queue when the listener closes is reset by the
            // kernel: it never reached Depot. Only a driver's last request, just before the first
            // refusal, can be one; they are counted apart, and anything else is a failure.
            List<Sent> resetInAcceptQueue = beforeClose.stream()
                    .filter(s -> s.exchange().outcome() == OneShotHttp.Outcome.BROKEN && s.exchange().status() == -1
                            && s.exchange().problem().contains("Connection reset") && closedNanos - s.sentNanos() < ACCEPT_QUEUE_WINDOW.toNanos())
                    .toList();
            List<Sent> failedBeforeClose = beforeClose.stream().filter(s -> !s.exchange().complete2xx() && !resetInAcceptQueue.contains(s)).toList();
            long servedInDrain = beforeClose.stream().filter(s -> s.sentNanos() >= termNanos && s.exchange().complete2xx()).count();
            Duration toClose = closedNanos == Long.MAX_VALUE ? null : Duration.ofNanos(closedNanos - termNanos);

            System.out.printf("DrainIT: java -jar -> /ready 200: %d ms%n", startup.toMillis());
            System.out.printf("DrainIT: sending SIGTERM took %d ms; SIGTERM delivered -> /ready %d: %d ms (bound %d ms)%n",
                    (deliveredNanos - termNanos) / 1_000_000, readyStatus, toUnready.toMillis(), READY_503_BOUND.toMillis());
            System.out.printf("DrainIT: SIGTERM -> listener closed (first refused connection): %s ms (drain window %d s)%n",
                    toClose == null ? "never" : Long.toString(toClose.toMillis()), drain.toSeconds());
            System.out.printf("DrainIT: requests sent before close: %d, of them not a complete 2xx: %d (plus %d reset in the accept queue as it closed); complete 2xx during the drain window: %d%n",
                    beforeClose.size(), failedBeforeClose.size(), resetInAcceptQueue.size(), servedInDrain);
            System.out.printf("DrainIT: SIGTERM -> exit %s: %d ms (bound drain + grace = %d s)%n",
                    exited ? "status " + server.process().exitValue() : "(still running)", toExit.toMillis(), drain.plus(grace).toSeconds());

            assertThat(readyStatus).as("/ready after SIGTERM").isEqualTo(503);
            assertThat(toUnready).as("SIGTERM -> /ready 503").isLessThanOrEqualTo(READY_503_BOUND);
            assertThat(failedBeforeClose).as("requests sent before the listener closed that did not get a complete 2xx")
                    .extracting(s -> s.exchange().outcome() + " " + s.exchange().status() + " " + s.exchange().problem()
                            + " at +" + (s.sentNanos() - termNanos) / 1_000_000 + " ms: "
                            + s.exchange().body().substring(0, Math.min(160, s.exchange().body().length())).replaceAll("\\s+", " "))
                    .isEmpty();
            assertThat(resetInAcceptQueue).as("connections reset in the accept queue (at most one per driver)").hasSizeLessThanOrEqualTo(DRIVERS);
            assertThat(toClose).as("the listener closed before the process exited").isNotNull();
            assertThat(toClose).as("traffic is served for the whole drain window").isGreaterThanOrEqualTo(drain);
            assertThat(servedInDrain).as("requests served during the drain window").isPositive();
            assertThat(exited).as("exited within drain + grace\n%s", server.logTail()).isTrue();
            assertThat(toExit).as("SIGTERM -> exit").isLessThanOrEqualTo(drain.plus(grace));
            assertThat(server.process().exitValue()).as("exit status after SIGTERM\n%s", server.logTail()).isZero();
        }
        finally {
            driving.set(false);
        }
    }

    /**
     * A colour switch's stop: once depotctl has told the old colour nothing routes to it
     * ({@code POST /tasks/unrouted} on the admin port), SIGTERM skips the drain window, which only
     * gives a router time to notice, and the process exits 0 at once; an upload in flight still
     * gets its 201 first. Before the task the drain window holds as above (the test before).
     */
    @Test
    void anUnroutedColourStopsWithoutTheDrainWindow()
            throws Exception
    {
        Duration drain = LifecycleEnv.read(TestStack.get().repository()).seconds("DRAIN_WINDOW_SECONDS");
        String token = DepotServer.createToken(migratedTenant());
        try (ServerProcess server = DepotJar.startServer("unrouted", Map.of())) {
            server.awaitReady(Duration.ofSeconds(120));
            HttpResponse<String> unrouted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + "/tasks/unrouted"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(unrouted.statusCode()).as("POST /tasks/unrouted: %s", unrouted.body()).isEqualTo(200);
            StoppedDuringUpload stop = terminateDuringUpload(server, chunkASecondUpload(server, token, "unrouted.bin", 4), Duration.ofSeconds(1), drain.plusSeconds(30));
            HttpResponse<String> answer = stop.answer();
            boolean exited = stop.exited();
            Duration toExit = stop.toExit();
            System.out.printf("DrainIT: unrouted colour: SIGTERM -> exit %d ms (drain window %d s), the upload in flight answered %d%n",
                    toExit.toMillis(), drain.toSeconds(), answer.statusCode());

            assertThat(answer.statusCode()).as("the upload in flight\n%s\n%s", answer.body(), server.logTail()).isEqualTo(201);
            assertThat(exited).as("exited\n%s", server.logTail()).isTrue();
            assertThat(toExit).as("SIGTERM -> exit of an unrouted colour").isLessThan(drain);
            assertThat(server.process().exitValue()).as("exit status after SIGTERM\n%s", server.logTail()).isZero();
        }
    }

    /**
     * What a colour switch does to the old colour (depotctl stops it once nginx sends elsewhere):
     * SIGTERM in the middle of an upload that lasts longer than drain + grace. The upload gets its
     * 201 and its row, and the process exits 0 only after it, within drain + upload finish + grace.
     */
    @Test
    void anUploadOutlastingDrainAndGraceFinishesBeforeTheExit()
            throws Exception
    {
        LifecycleEnv lifecycle = LifecycleEnv.read(TestStack.get().repository());
        Duration drainAndGrace = lifecycle.seconds("DRAIN_WINDOW_SECONDS").plus(lifecycle.seconds("GRACE_PERIOD_SECONDS"));
        Duration stopBound = drainAndGrace.plus(lifecycle.seconds("UPLOAD_FINISH_SECONDS"));
        Duration uploadLasts = drainAndGrace.plusSeconds(8);
        assertThat(uploadLasts).as("the upload's length is inside the bound").isLessThan(stopBound.minusSeconds(20));
        CommandResult migrate = DepotJar.run("db", "migrate", DepotJar.config());
        assertThat(migrate.exitCode()).as("%s", migrate).isZero();
        String token = DepotServer.createToken(DepotServer.newTenant());

        try (ServerProcess server = DepotJar.startServer("upload-drain", Map.of())) {
            server.awaitReady(Duration.ofSeconds(120));
            int chunks = Math.toIntExact(uploadLasts.toSeconds());
            long startNanos = System.nanoTime();
            // The upload is under way (its first chunks sent) when the stop begins.
            StoppedDuringUpload stop = terminateDuringUpload(server, chunkASecondUpload(server, token, "slow.bin", chunks), Duration.ofSeconds(2), stopBound.plusSeconds(10));
            HttpResponse<String> answer = stop.answer();
            boolean exited = stop.exited();
            Duration toExit = stop.toExit();
            Duration uploadTook = Duration.ofNanos(System.nanoTime() - startNanos);
            System.out.printf("DrainIT: upload of %d s sent 2 s before SIGTERM: %d after %d ms; SIGTERM -> exit %d ms (drain + grace %d s, with the upload finish window %d s)%n",
                    uploadLasts.toSeconds(), answer.statusCode(), uploadTook.toMillis(), toExit.toMillis(), drainAndGrace.toSeconds(), stopBound.toSeconds());

            assertThat(answer.statusCode()).as("the upload's answer\n%s\n%s", answer.body(), server.logTail()).isEqualTo(201);
            String id = DepotClient.json(answer).get("id").asText();
            try (Connection connection = TestStack.get().connect(); Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT size FROM assets WHERE id = '" + id + "'")) {
                assertThat(rows.next()).as("the asset's row").isTrue();
                assertThat(rows.getLong(1)).isEqualTo((long) chunks * SlowBody.CHUNK);
            }
            assertThat(exited).as("exited within drain + upload finish + grace\n%s", server.logTail()).isTrue();
            assertThat(toExit).as("SIGTERM -> exit, past drain + grace: the process waited for the upload").isGreaterThan(drainAndGrace)
                    .isLessThanOrEqualTo(stopBound);
            assertThat(server.process().exitValue()).as("exit status after SIGTERM\n%s", server.logTail()).isZero();
        }
    }

    /**
     * An upload still running when the upload finish window has passed is cut with a 503 and
     * Retry-After, sent while its connection is open, instead of losing the connection when the
     * server stops: the client knows to send it again (to another instance), and nothing is stored.
     * Short windows (drain 1 s, upload finish 2 s) keep the test short; the logic is the same.
     */
    @Test
    void anUploadOutlastingTheFinishWindowIsCutWithA503()
            throws Exception
    {
        String tenant = migratedTenant();
        try (ServerProcess server = cuttingServer("upload-cut")) {
            assertCutWithA503(server, slowUpload(server, DepotServer.createToken(tenant), ""));
        }
        assertStored(tenant, 0);
    }

    /**
     * The retry of a stored upload under its Idempotency-Key reads its body only to compare it
     * with the first one's: a stop cuts that read too, with the same 503, and stores nothing more.
     */
    @Test
    void aRetryBeingComparedWhenTheFinishWindowEndsIsCutWithA503()
            throws Exception
    {
        String tenant = migratedTenant();
        String token = DepotServer.createToken(tenant);
        try (ServerProcess server = cuttingServer("retry-cut")) {
            HttpResponse<String> first = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.appPort() + "/api/v1/assets?filename=cut.bin"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/octet-stream").header("Idempotency-Key", "retry-cut")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new SlowBody(CUT_CHUNKS, Duration.ZERO))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).as("the first upload: %s", first.body()).isEqualTo(201);
            assertCutWithA503(server, slowUpload(server, token, "Idempotency-Key: retry-cut\r\n"));
        }
        assertStored(tenant, 1);
    }

    private record StoppedDuringUpload(HttpResponse<String> answer, boolean exited, Duration toExit) {}

    /** Sends UPLOAD, terminates the server AFTER into it, waits up to BOUND for its exit, then for the upload's answer. */
    private static StoppedDuringUpload terminateDuringUpload(ServerProcess server, HttpRequest upload, Duration after, Duration bound)
            throws Exception
    {
        CompletableFuture<HttpResponse<String>> response = HttpClient.newHttpClient().sendAsync(upload, HttpResponse.BodyHandlers.ofString());
        Wait.sleep(after);
        long termNanos = System.nanoTime();
        server.terminate();
        boolean exited = server.waitForExit(bound);
        Duration toExit = Duration.ofNanos(System.nanoTime() - termNanos);
        return new StoppedDuringUpload(response.get(10, TimeUnit.SECONDS), exited, toExit);
    }

    /** An upload of CHUNKS {@link SlowBody#CHUNK}s, one a second. */
    private static HttpRequest chunkASecondUpload(ServerProcess server, String token, String filename, int chunks)
    {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.appPort() + "/api/v1/assets?filename=" + filename))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new SlowBody(chunks, Duration.ofSeconds(1))), (long) chunks * SlowBody.CHUNK))
                .build();
    }

    private static String migratedTenant()
    {
        CommandResult migrate = DepotJar.run("db", "migrate", DepotJar.config());
        assertThat(migrate.exitCode()).as("%s", migrate).isZero();
        return DepotServer.newTenant();
    }

    private static ServerProcess cuttingServer(String name)
    {
        ServerProcess server = DepotJar.startServer(name, Map.of(), List.of("-Ddw.lifecycle.drainWindow=1s", "-Ddw.lifecycle.uploadFinishWindow=2s"));
        try {
            server.awaitReady(Duration.ofSeconds(120));
            return server;
        }
        catch (RuntimeException | Error e) {
            // Not yet in the caller's try-with-resources: stop it here.
            server.close();
            throw e;
        }
    }

    private record CutAnswer(String answer, Duration toAnswer, boolean exited) {}

    /** POSTs a body that arrives a chunk a second, terminates the server 2 s in, and reads its answer. */
    private static CutAnswer slowUpload(ServerProcess server, String token, String extraHeaderLines)
            throws IOException
    {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.appPort()), 2000);
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/assets?filename=cut.bin HTTP/1.1\r\nHost: depot\r\nAuthorization: Bearer " + token + "\r\n" + extraHeaderLines
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + (long) CUT_CHUNKS * SlowBody.CHUNK + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            // The body goes on arriving a chunk a second until the server answers or drops the connection.
            Thread sender = new Thread(() -> {
                try (InputStream body = new SlowBody(CUT_CHUNKS, Duration.ofSeconds(1))) {
                    body.transferTo(out);
                }
                catch (IOException e) {
                    // The server answered and closed: what the test reads below.
                }
            }, "slow-upload");
            sender.setDaemon(true);
            sender.start();
            Wait.sleep(Duration.ofSeconds(2));
            long termNanos = System.nanoTime();
            server.terminate();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Duration toAnswer = Duration.ofNanos(System.nanoTime() - termNanos);
            boolean exited = server.waitForExit(Duration.ofSeconds(40));
            System.out.printf("DrainIT: %s still running after drain 1 s + upload finish 2 s: answered %s %d ms after SIGTERM%n",
                    extraHeaderLines.isEmpty() ? "upload" : "retried upload", answer.lines().findFirst().orElse("nothing"), toAnswer.toMillis());
            return new CutAnswer(answer, toAnswer, exited);
        }
    }

    private static void assertCutWithA503(ServerProcess server, CutAnswer cut)
    {
        assertThat(cut.answer()).as("the cut upload's answer\n%s", server.logTail()).startsWith("HTTP/1.1 503 ")
                .containsIgnoringCase("\r\nRetry-After: 1\r\n")
                .contains("this instance is stopping and cut the upload before its end; nothing was stored");
        assertThat(cut.toAnswer()).as("cut after drain + upload finish, well within the grace period after them").isLessThan(Duration.ofSeconds(15));
        assertThat(cut.exited()).as("exited after the cut upload's answer\n%s", server.logTail()).isTrue();
        assertThat(server.process().exitValue()).isZero();
    }

    /** The tenant has exactly {@code assets} rows and as many objects: the cut upload added neither. */
    private static void assertStored(String tenant, int assets)
            throws Exception
    {
        assertThat(TestStack.get().objectFiles(tenant)).as("objects of the tenant").hasSize(assets);
        try (Connection connection = TestStack.get().connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM assets WHERE tenant = '" + tenant + "'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getLong(1)).as("rows of the tenant").isEqualTo(assets);
        }
    }

    /** A body of chunks that arrive {@code pause} apart, as from a slow client. */
    private static final class SlowBody
            extends InputStream
    {
        static final int CHUNK = 64 * 1024;

        private final int chunks;
        private final Duration pause;
        private int sent;
        private int positionInChunk;

        SlowBody(int chunks, Duration pause)
        {
            this.chunks = chunks;
            this.pause = pause;
        }

        @Override
        public int read()
        {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length)
        {
            if (sent == chunks) {
                return -1;
            }
            if (positionInChunk == 0 && sent > 0 && !pause.isZero()) {
                Wait.sleep(pause);
            }
            int count = Math.min(length, CHUNK - positionInChunk);
            java.util.Arrays.fill(buffer, offset, offset + count, (byte) sent);
            positionInChunk += count;
            if (positionInChunk == CHUNK) {
                positionInChunk = 0;
                sent++;
            }
            return count;
        }
    }
}
