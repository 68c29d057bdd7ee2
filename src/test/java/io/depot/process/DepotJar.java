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
        return run(jar(), overrides, arguments);
    }

    /** A command of another jar than this build's, e.g. a release with changesets of its own. */
    static CommandResult run(Path jar, Map<String, String> overrides, String... arguments)
    {
        // A command runs for a second or two: C1 alone compiles what it needs for half the CPU time
        // of tiered compilation, and the integration tests start dozens of them.
        ProcessBuilder builder = builder(jar, overrides, List.of("-XX:TieredStopAtLevel=1"), List.of(arguments));
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
        return startServer(name, overrides, List.of());
    }

    /** {@code configOverrides}: Dropwizard's dw.* system properties, for settings the environment does not reach. */
    static ServerProcess startServer(String name, Map<String, String> overrides, List<String> configOverrides)
    {
        int appPort = freePort();
        int adminPort = freePort();
        Map<String, String> all = new HashMap<>(overrides);
        all.put("DEPOT_APP_HOST", "127.0.0.1");
        all.put("DEPOT_ADMIN_HOST", "127.0.0.1");
        all.put("DEPOT_APP_PORT", Integer.toString(appPort));
        all.put("DEPOT_ADMIN_PORT", Integer.toString(adminPort));
        // S3Proxy on a loaded test machine is far slower than S3; the production bounds are not under test here.
        all.putIfAbsent("DEPOT_S3_CALL_TIMEOUT", "120s");
        all.putIfAbsent("DEPOT_S3_ATTEMPT_TIMEOUT", "60s");
        try {
            Path log = repository().resolve("target/process-logs/" + name + ".log");
            Files.createDirectories(log.getParent());
            List<String> jvmOptions = new ArrayList<>(List.of("-Xmx256m"));
            jvmOptions.addAll(configOverrides);
            ProcessBuilder builder = builder(jar(), all, jvmOptions, List.of("server", config()))
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

    private static ProcessBuilder builder(Path jar, Map<String, String> overrides, List<String> jvmOptions, List<String> arguments)
    {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).directory(repository().toFile());
        // Only what a unit file would give the service: PATH and the stack, nothing of this JVM's.
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().putAll(environment(overrides));
        return builder;
    }

    /** A copy of the jar whose changelog ends with the given changesets, as a later release's would. */
    static Path withChangeSets(Path directory, String changeSets)
    {
        Path copy = directory.resolve("depot-" + Long.toHexString(System.nanoTime()) + ".jar");
        try {
            Files.copy(jar(), copy);
            try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(copy)) {
                Path changelog = zip.getPath("migrations.xml");
                String text = Files.readString(changelog);
                Files.writeString(changelog, text.replace("</databaseChangeLog>", changeSets + "\n</databaseChangeLog>"));
            }
            return copy;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
