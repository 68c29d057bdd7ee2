package io.depot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real PostgreSQL, Redis and S3Proxy for the tests, started once per test JVM on free ports
 * through scripts/stack (the same script `make run` and the proving ground use) and removed
 * when the JVM exits, so no state is shared between runs. In-process applications get the
 * endpoints as configuration overrides, child processes as environment variables.
 */
public final class TestStack
{
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    private static TestStack instance;

    private final Path repository;
    private final Path stateDirectory;
    private final Map<String, String> environment;

    private TestStack(Path repository, Path stateDirectory, Map<String, String> environment)
    {
        this.repository = repository;
        this.stateDirectory = stateDirectory;
        this.environment = environment;
    }

    public static synchronized TestStack get()
    {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static TestStack start()
    {
        Path repository = Path.of(System.getProperty("depot.repository", System.getProperty("user.dir"))).toAbsolutePath();
        Path stateDirectory = repository.resolve("target/test-stack/" + UUID.randomUUID());
        run(repository, List.of(repository.resolve("scripts/stack").toString(), "up", stateDirectory.toString()));
        Map<String, String> environment = readEnvironment(stateDirectory.resolve("env"));
        TestStack stack = new TestStack(repository, stateDirectory, environment);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::remove, "test-stack-down"));
        stack.exportCredentials();
        return stack;
    }

    // The AWS SDK's default chain reads these, as it reads AWS_* variables in a child process.
    private void exportCredentials()
    {
        System.setProperty("aws.accessKeyId", environment.get("AWS_ACCESS_KEY_ID"));
        System.setProperty("aws.secretAccessKey", environment.get("AWS_SECRET_ACCESS_KEY"));
        System.setProperty("aws.region", environment.get("DEPOT_S3_REGION"));
    }

    private void remove()
    {
        try {
            run(repository, List.of(repository.resolve("scripts/stack").toString(), "down", stateDirectory.toString()));
            try (var paths = Files.walk(stateDirectory)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        catch (IOException | RuntimeException e) {
            System.err.println("test stack clean-up failed: " + e);
        }
    }

    public Path repository()
    {
        return repository;
    }

    /** The DEPOT_* and AWS_* variables a Depot process needs to use this stack. */
    public Map<String, String> environment()
    {
        return environment;
    }

    /** Where S3Proxy keeps the bucket's objects on disk (its filesystem backend). */
    public Path bucketDirectory()
    {
        return bucketDirectory(environment.get("DEPOT_S3_BUCKET"));
    }

    public Path bucketDirectory(String bucket)
    {
        return stateDirectory.resolve("s3").resolve(bucket);
    }

    /** The object files S3Proxy holds for {@code tenant} in the stack's bucket. */
    public Set<Path> objectFiles(String tenant)
    {
        return objectFiles(environment.get("DEPOT_S3_BUCKET"), tenant);
    }

    public Set<Path> objectFiles(String bucket, String tenant)
    {
        Path directory = bucketDirectory(bucket).resolve("tenants").resolve(tenant);
        if (!Files.exists(directory)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).collect(Collectors.toSet());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** S3Proxy's filesystem backend keeps parts of unfinished multipart uploads as stub and part files in the bucket. */
    public List<Path> pendingMultipartUploads()
    {
        try (Stream<Path> files = Files.walk(bucketDirectory())) {
            return files.filter(Files::isRegularFile).filter(path -> path.getFileName().toString().contains("-stub") || path.toString().contains("multipart")).toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A bucket of its own, for tests whose background work must not see other tests' objects. Returns its name. */
    public String createBucket(String prefix)
    {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            // S3Proxy's filesystem backend: a directory under its base directory is a bucket.
            Files.createDirectories(stateDirectory.resolve("s3").resolve(name));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return name;
    }

    public void stop(String service)
    {
        run(repository, List.of(repository.resolve("scripts/stack").toString(), "stop", stateDirectory.toString(), service));
    }

    public void start(String service)
    {
        run(repository, List.of(repository.resolve("scripts/stack").toString(), "start", stateDirectory.toString(), service));
    }

    public Connection connect()
            throws SQLException
    {
        return connect(environment.get("DEPOT_DB_URL"));
    }

    /** A connection as the schema's owner: tests create databases and triggers, which the service's role may not. */
    public Connection connect(String url)
            throws SQLException
    {
        return DriverManager.getConnection(url, environment.get("DEPOT_DB_OWNER_USER"), environment.get("DEPOT_DB_OWNER_PASSWORD"));
    }

    /** A connection as the service's own role (DEPOT_DB_USER), which has no DDL rights. */
    public Connection connectAsService()
            throws SQLException
    {
        return DriverManager.getConnection(environment.get("DEPOT_DB_URL"), environment.get("DEPOT_DB_USER"), environment.get("DEPOT_DB_PASSWORD"));
    }

    public void execute(String sql)
    {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** A new, empty database on the same server, for tests that need a schema of their own. Returns its JDBC URL. */
    public String createDatabase(String prefix)
    {
        String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE DATABASE " + name);
        String url = environment.get("DEPOT_DB_URL");
        return url.substring(0, url.lastIndexOf('/') + 1) + name;
    }

    /**
     * Appends {@code count} asset rows to the database at {@code jdbcUrl} with scripts/seed-assets
     * (most of them one tenant's, {@code scale}), as the schema's owner. Returns that tenant.
     */
    public String seedAssets(String jdbcUrl, int count)
    {
        String url = jdbcUrl.replaceFirst("^jdbc:postgresql://", "postgresql://" + environment.get("DEPOT_DB_OWNER_USER") + "@");
        run(repository, List.of(repository.resolve("scripts/seed-assets").toString(), String.valueOf(count), url),
                Map.of("PGPASSWORD", environment.get("DEPOT_DB_OWNER_PASSWORD")));
        return "scale";
    }

    private static Map<String, String> readEnvironment(Path file)
    {
        try {
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file)) {
                int equals = line.indexOf('=');
                if (equals > 0) {
                    values.put(line.substring(0, equals), line.substring(equals + 1));
                }
            }
            return Map.copyOf(values);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(Path repository, List<String> command)
    {
        run(repository, command, Map.of());
    }

    /** Runs a script of the repository; its output goes to a file, so the timeout holds even if a child keeps the pipe open. */
    private static void run(Path repository, List<String> command, Map<String, String> environment)
    {
        try {
            Path output = Files.createTempFile("test-stack", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(repository.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
                builder.environment().putAll(environment);
                Process process = builder.start();
                if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT + ":\n" + Files.readString(output));
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed with " + process.exitValue() + ":\n" + Files.readString(output));
                }
            }
            finally {
                Files.deleteIfExists(output);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
