package io.depot.process;

import io.depot.testing.TestStack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The shaded jar that `make package` builds, run the way systemd runs it: `java -jar depot.jar
 * COMMAND ... config.yml` with the configuration in the environment (the test stack's DEPOT_*).
 */
final class DepotJar
{
    private static final long COMMAND_TIMEOUT_SECONDS = 180;

    private DepotJar() {}

    static Path repository()
    {
        return TestStack.get().repository();
    }

    static Path jar()
    {
        Path jar = Path.of(System.getProperty("depot.jar", repository().resolve("target/depot.jar").toString()));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `make package` (or mvn verify, which packages first)");
        }
        return jar;
    }

    static String config()
    {
        return repository().resolve("config.yml").toString();
    }

    /** The test stack's environment with some variables replaced; a null value removes the variable. */
    static Map<String, String> environment(Map<String, String> overrides)
    {
        Map<String, String> environment = new HashMap<>(TestStack.get().environment());
        overrides.forEach((key, value) -> {
            if (value == null) {
                environment.remove(key);
            }
            else {
                environment.put(key, value);
            }
        });
        return environment;
    }

    static CommandResult run(String... arguments)
    {
        return run(Map.of(), arguments);
    }

    static CommandResult run(Map<String, String> overrides, String... arguments)
    {
        ProcessBuilder builder = builder(overrides, List.of(), List.of(arguments));
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("depot.jar " + String.join(" ", arguments) + " did not finish within " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            return new CommandResult(List.of(arguments), process.exitValue(), stdout.join(), stderr.join());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** `server config.yml` on free loopback ports; its output goes to target/process-logs/NAME.log. */
    static ServerProcess startServer(String name, Map<String, String> overrides)
    {
        int appPort = freePort();
        int adminPort = freePort();
        Map<String, String> all = new HashMap<>(overrides);
        all.put("DEPOT_APP_HOST", "127.0.0.1");
        all.put("DEPOT_ADMIN_HOST", "127.0.0.1");
        all.put("DEPOT_APP_PORT", Integer.toString(appPort));
        all.put("DEPOT_ADMIN_PORT", Integer.toString(adminPort));
        try {
            Path log = repository().resolve("target/process-logs/" + name + ".log");
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = builder(all, List.of("-Xmx256m"), List.of("server", config()))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            long startedNanos = System.nanoTime();
            Process process = builder.start();
            process.getOutputStream().close();
            return new ServerProcess(process, startedNanos, appPort, adminPort, log);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ProcessBuilder builder(Map<String, String> overrides, List<String> jvmOptions, List<String> arguments)
    {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).directory(repository().toFile());
        // Only what a unit file would give the service: PATH and the stack, nothing of this JVM's.
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().putAll(environment(overrides));
        return builder;
    }

    static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readAll(java.io.InputStream stream)
    {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
