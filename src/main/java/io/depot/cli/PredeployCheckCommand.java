package io.depot.cli;

import com.codahale.metrics.MetricRegistry;
import io.depot.DepotConfiguration;
import io.depot.cache.RedisGateway;
import io.depot.core.Throwables;
import io.depot.db.Migrations;
import io.depot.storage.ObjectStore;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * What a deploy checks before it switches anything: the configuration parses (or this command
 * would not run), PostgreSQL answers, no changeset is pending, the bucket takes a write, read
 * and delete, and Redis answers PING. One line per check with its time; non-zero exit naming
 * what failed.
 */
public class PredeployCheckCommand
        extends ConfiguredCommand<DepotConfiguration>
{
    private interface Check
    {
        String run()
                throws Exception;
    }

    public PredeployCheckCommand()
    {
        super("predeploy-check", "Check configuration, PostgreSQL, pending migrations, the S3 bucket and Redis before a deploy");
    }

    @Override
    public void configure(Subparser subparser)
    {
        subparser.addArgument("--allow-pending").action(Arguments.storeTrue()).help("do not fail on pending changesets");
        super.configure(subparser);
    }

    @Override
    protected void run(Bootstrap<DepotConfiguration> bootstrap, Namespace namespace, DepotConfiguration configuration)
            throws Exception
    {
        boolean allowPending = namespace.getBoolean("allow_pending");
        List<String> failures = new ArrayList<>();
        check("configuration", failures, () -> "valid");
        try (CommandDatabase database = new CommandDatabase(configuration)) {
            check("database", failures, () -> {
                database.jdbi().withHandle(handle -> handle.createQuery("SELECT 1").mapTo(Integer.class).one());
                return "SELECT 1 answered";
            });
            check("migrations", failures, () -> {
                List<String> pending = Migrations.load().pending(database.jdbi());
                if (pending.isEmpty()) {
                    return "none pending";
                }
                String list = pending.size() + " pending: " + String.join(", ", pending);
                if (allowPending) {
                    return list + " (allowed)";
                }
                throw new IllegalStateException(list + " (run db migrate, or pass --allow-pending)");
            });
        }
        catch (Exception e) {
            print("database", 0, "FAIL", e.getMessage());
            failures.add("database");
        }
        try (ObjectStore objects = new ObjectStore(configuration.getStorage())) {
            check("storage", failures, () -> {
                String key = "predeploy-check/" + UUID.randomUUID();
                byte[] probe = ("depot predeploy-check " + key).getBytes(StandardCharsets.UTF_8);
                objects.putSmall(key, probe);
                try {
                    if (!Arrays.equals(objects.getSmall(key), probe)) {
                        throw new IllegalStateException("read back different bytes than were written");
                    }
                }
                finally {
                    objects.delete(key);
                }
                return "write, read and delete in bucket " + objects.bucket();
            });
        }
        RedisGateway redis = new RedisGateway(configuration.getRedis(), new MetricRegistry(), Clock.systemUTC());
        try {
            check("redis", failures, () -> {
                if (!redis.isEnabled()) {
                    return "not configured (cache off)";
                }
                if (!redis.ping()) {
                    throw new IllegalStateException("PING failed");
                }
                return "PING answered";
            });
        }
        finally {
            redis.stop();
        }
        if (!failures.isEmpty()) {
            throw new IllegalArgumentException("failed: " + String.join(", ", failures));
        }
        System.out.println("predeploy-check: all checks passed");
    }

    private static void check(String name, List<String> failures, Check check)
    {
        long started = System.nanoTime();
        try {
            String detail = check.run();
            print(name, System.nanoTime() - started, "ok", detail);
        }
        catch (Exception e) {
            failures.add(name);
            print(name, System.nanoTime() - started, "FAIL", rootMessage(e));
        }
    }

    private static void print(String name, long nanos, String status, String detail)
    {
        System.out.printf("%-4s  %-13s %6d ms  %s%n", status, name, nanos / 1_000_000, detail);
    }

    private static String rootMessage(Throwable throwable)
    {
        String root = Throwables.rootMessage(throwable);
        return throwable.getCause() == null ? root : throwable.getMessage() + " (" + root + ")";
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable error)
    {
        CommandErrors.report(cli, "predeploy-check", error);
    }
}
