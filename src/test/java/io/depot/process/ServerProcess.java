package io.depot.process;

import io.depot.testing.OneShotHttp;
import io.depot.testing.Wait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A running `java -jar depot.jar server`: its ports, its log and the signals it gets. */
final class ServerProcess
        implements AutoCloseable
{
    private final Process process;
    private final long startedNanos;
    private final int appPort;
    private final int adminPort;
    private final Path log;

    ServerProcess(Process process, long startedNanos, int appPort, int adminPort, Path log)
    {
        this.process = process;
        this.startedNanos = startedNanos;
        this.appPort = appPort;
        this.adminPort = adminPort;
        this.log = log;
    }

    int appPort()
    {
        return appPort;
    }

    int adminPort()
    {
        return adminPort;
    }

    long pid()
    {
        return process.pid();
    }

    Process process()
    {
        return process;
    }

    /** Status of GET /ready on the admin connector, or -1 when nothing listens. */
    int readyStatus()
    {
        return OneShotHttp.get(adminPort, "/ready", Map.of()).status();
    }

    /** Waits for /ready to answer 200 and returns how long that took from `java -jar`. */
    Duration awaitReady(Duration timeout)
    {
        Wait.until("depot to be ready", timeout, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("depot exited with " + process.exitValue() + " before it was ready:\n" + logTail());
            }
            return readyStatus() == 200;
        }, this::logTail);
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** SIGTERM, exactly as systemd and the ASG send it; Java sends it itself, so no kill(1) binary is needed. */
    void terminate()
    {
        process.destroy();
    }

    boolean waitForExit(Duration timeout)
    {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Everything the process has written to stdout and stderr so far. */
    List<String> logLines()
    {
        try {
            return Files.readAllLines(log);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String logTail()
    {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }
        catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close()
    {
        if (process.isAlive()) {
            process.destroyForcibly();
            waitForExit(Duration.ofSeconds(10));
        }
    }
}
