package io.depot.process;

import io.depot.testing.OneShotHttp;
import io.depot.testing.TestStack;
import io.depot.testing.Wait;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The jar's commands as an operator and a deploy run them: output, exit status and effect. */
class CommandsIT
{
    private static final Pattern CREATED = Pattern.compile("Created token ([0-9a-f-]{36}) for tenant");
    private static final Pattern CHANGESET = Pattern.compile("<changeSet id=\"([^\"]+)\"");
    private static final List<String> CHECKS = List.of("configuration", "database", "migrations", "storage", "redis");

    @BeforeAll
    static void migrate()
    {
        succeeds(DepotJar.run("db", "migrate", DepotJar.config()));
    }

    @Test
    void tokenCreateListRevoke()
    {
        String tenant = "cmd-" + Long.toHexString(System.nanoTime());
        CommandResult created = succeeds(DepotJar.run("token", "create", "--tenant", tenant, "--name", "ci deploy", DepotJar.config()));
        String token = created.lastStdoutLine();
        assertThat(token).as("%s", created).isNotBlank().doesNotContainAnyWhitespaces();
        Matcher id = CREATED.matcher(created.stdout());
        assertThat(id.find()).as("token id in %s", created).isTrue();
        CommandResult limited = succeeds(DepotJar.run("token", "create", "--tenant", tenant, "--name", "gate", "--requests-per-window", "2", DepotJar.config()));
        String limitedToken = limited.lastStdoutLine();
        Matcher limitedId = CREATED.matcher(limited.stdout());
        assertThat(limitedId.find()).as("token id in %s", limited).isTrue();

        try (ServerProcess server = DepotJar.startServer("commands", Map.of())) {
            server.awaitReady(Duration.ofSeconds(120));
            assertThat(assets(server, token)).as("GET /api/v1/assets with the new token").isEqualTo(200);
            assertThat(assets(server, "dpt_" + "x".repeat(43))).as("GET /api/v1/assets with a made-up token").isEqualTo(401);
            // The configured limit is 1,200 a minute: the token's own 2 is what refuses the third.
            for (int request = 1; request <= 2; request++) {
                assertThat(assets(server, limitedToken)).as("request %d of a token created with 2 requests per window", request).isEqualTo(200);
            }
            assertThat(assets(server, limitedToken)).as("its third request").isEqualTo(429);

            CommandResult list = succeeds(DepotJar.run("token", "list", DepotJar.config()));
            assertThat(list.stdout()).contains(id.group(1)).contains(tenant).contains("ci deploy");
            assertThat(row(list, id.group(1))).as("%s", list).contains(" default ");
            assertThat(row(list, limitedId.group(1))).as("%s", list).contains(" 2/window ");

            CommandResult revoked = succeeds(DepotJar.run("token", "revoke", "--id", id.group(1), DepotJar.config()));
            assertThat(revoked.stdout()).contains(id.group(1)).contains("every instance refuses it within 5 seconds");
            // Within the revocation bound (auth.tokenCacheTtl, 5 s), not necessarily at once.
            Wait.until("GET /api/v1/assets with the revoked token refused", Duration.ofSeconds(10), () -> assets(server, token) == 401);
        }
    }

    @Test
    void badInputFailsWithOneLineAndNoStackTrace()
    {
        failsInOneLine(DepotJar.run("token", "create", "--tenant", "Bad Tenant!", "--name", "n", DepotJar.config()), "tenant");
        failsInOneLine(DepotJar.run("token", "create", "--tenant", "acme", DepotJar.config()), "--name");
        failsInOneLine(DepotJar.run("token", "revoke", "--id", "123e4567-e89b-42d3-a456-426614174000", DepotJar.config()), "123e4567-e89b-42d3-a456-426614174000");
    }

    @Test
    void tokenCreateRefusesABadRateLimitAndWritesNothing()
            throws SQLException
    {
        String tenant = "cmd-" + Long.toHexString(System.nanoTime());
        for (String bad : List.of("0", "-5", "1000001", "12abc")) {
            failsInOneLine(DepotJar.run("token", "create", "--tenant", tenant, "--name", "n", "--requests-per-window", bad, DepotJar.config()),
                    "token: --requests-per-window must be a whole number from 1 to 1000000, not '" + bad + "'");
        }
        assertThat(storedLimits(tenant)).as("tokens of %s after the refused creates", tenant).isEmpty();

        succeeds(DepotJar.run("token", "create", "--tenant", tenant, "--name", "n", "--requests-per-window", "1000000", DepotJar.config()));
        assertThat(storedLimits(tenant)).as("tokens of %s", tenant).containsExactly(1_000_000);
    }

    @Test
    void predeployCheckPrintsOneTimedLinePerCheck()
    {
        CommandResult result = succeeds(DepotJar.run("predeploy-check", DepotJar.config()));
        for (String check : CHECKS) {
            assertThat(result.stdout().lines().filter(line -> line.matches("ok\\s+" + check + "\\s+\\d+ ms\\s+.*")))
                    .as("one timed 'ok' line for %s in %s", check, result).hasSize(1);
        }
    }

    @Test
    void predeployCheckNamesPendingChangesetsOnAFreshDatabase()
            throws IOException
    {
        Map<String, String> fresh = Map.of("DEPOT_DB_URL", TestStack.get().createDatabase("predeploy"));
        CommandResult pending = DepotJar.run(fresh, "predeploy-check", DepotJar.config());
        assertThat(pending.exitCode()).as("%s", pending).isNotZero();
        assertThat(pending.stdout() + pending.stderr()).as("%s", pending).contains("migrations").contains(declaredChangeSets());
        assertThat(pending.stderr()).doesNotContain("at io.");

        CommandResult allowed = succeeds(DepotJar.run(fresh, "predeploy-check", "--allow-pending", DepotJar.config()));
        assertThat(allowed.stdout()).contains("(allowed)");
    }

    @Test
    void predeployCheckNamesStorageWhenS3IsDown()
    {
        TestStack.get().stop("s3");
        try {
            CommandResult result = DepotJar.run("predeploy-check", DepotJar.config());
            assertThat(result.exitCode()).as("%s", result).isNotZero();
            assertThat(result.stdout()).as("%s", result).containsPattern("FAIL\\s+storage");
            assertThat(result.stderr()).as("%s", result).contains("storage").doesNotContain("at io.");
        }
        finally {
            TestStack.get().start("s3");
        }
    }

    @Test
    void dryRunPrintsSqlAndChangesNothing()
            throws SQLException, IOException
    {
        String url = TestStack.get().createDatabase("dryrun");
        Map<String, String> fresh = Map.of("DEPOT_DB_URL", url);
        CommandResult dryRun = succeeds(DepotJar.run(fresh, "db", "migrate", "--dry-run", DepotJar.config()));
        assertThat(dryRun.stdout()).contains("CREATE TABLE");
        assertThat(tableExists(url, "assets")).as("assets table after --dry-run").isFalse();

        CommandResult status = succeeds(DepotJar.run(fresh, "db", "status", DepotJar.config()));
        assertThat(status.stdout()).as("%s", status).contains(declaredChangeSets().size() + " changesets have not been applied");
    }

    @Test
    void dbStatusAndCheckPassOnTheMigratedStack()
    {
        CommandResult status = succeeds(DepotJar.run("db", "status", DepotJar.config()));
        assertThat(status.stdout()).as("%s", status).contains("is up to date");
        // Exit status only: Dropwizard logs "Configuration is OK" through the asynchronous console
        // appender, which does not always flush before a short command's JVM exits.
        succeeds(DepotJar.run("check", DepotJar.config()));
    }

    @Test
    void missingDatabaseUrlIsReportedPlainly()
    {
        Map<String, String> unset = new HashMap<>();
        unset.put("DEPOT_DB_URL", null);
        for (String[] command : List.of(new String[] {"token", "list"}, new String[] {"check"}, new String[] {"predeploy-check"})) {
            List<String> arguments = new ArrayList<>(List.of(command));
            arguments.add(DepotJar.config());
            CommandResult result = DepotJar.run(unset, arguments.toArray(String[]::new));
            assertThat(result.exitCode()).as("%s", result).isNotZero();
            assertThat(result.stderr()).as("%s", result).contains("database.url must be a jdbc:postgresql: URL: is DEPOT_DB_URL set?");
            assertThat(result.stdout() + result.stderr()).as("%s", result).doesNotContain("at io.").doesNotContain("Exception");
        }
    }

    @Test
    void malformedConfigurationIsReportedWithoutAStackTrace(@TempDir Path directory)
            throws IOException
    {
        Path config = directory.resolve("config.yml");
        Files.writeString(config, "server: [\n  applicationConnectors\n");
        CommandResult result = DepotJar.run("check", config.toString());
        assertThat(result.exitCode()).as("%s", result).isNotZero();
        assertThat(result.stderr()).as("%s", result).contains(config.toString()).contains("Malformed YAML").doesNotContain("at io.");
    }

    private static int assets(ServerProcess server, String token)
    {
        return OneShotHttp.get(server.appPort(), "/api/v1/assets", Map.of("Authorization", "Bearer " + token)).status();
    }

    /** The line of `token list` that names the token id. */
    private static String row(CommandResult list, String id)
    {
        return list.stdout().lines().filter(line -> line.startsWith(id)).findFirst().orElseThrow(() -> new AssertionError(id + " not listed: " + list));
    }

    private static List<Integer> storedLimits(String tenant)
            throws SQLException
    {
        try (Connection connection = TestStack.get().connect();
                PreparedStatement query = connection.prepareStatement("SELECT requests_per_window FROM api_tokens WHERE tenant = ?")) {
            query.setString(1, tenant);
            List<Integer> limits = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    limits.add((Integer) rows.getObject(1));
                }
            }
            return limits;
        }
    }

    private static CommandResult succeeds(CommandResult result)
    {
        assertThat(result.exitCode()).as("%s", result).isZero();
        return result;
    }

    private static void failsInOneLine(CommandResult result, String mentions)
    {
        assertThat(result.exitCode()).as("%s", result).isNotZero();
        assertThat(result.stderr().strip().lines()).as("stderr of %s", result).hasSize(1);
        assertThat(result.stderr()).as("%s", result).contains(mentions);
        assertThat(result.stdout() + result.stderr()).as("%s", result).doesNotContain("at io.").doesNotContain("Exception");
    }

    private static List<String> declaredChangeSets()
            throws IOException
    {
        String changelog = Files.readString(TestStack.get().repository().resolve("src/main/resources/migrations.xml"));
        List<String> ids = CHANGESET.matcher(changelog).results().map(match -> match.group(1)).toList();
        assertThat(ids).as("changesets declared in migrations.xml").isNotEmpty();
        return ids;
    }

    private static boolean tableExists(String url, String table)
            throws SQLException
    {
        try (Connection connection = TestStack.get().connect(url);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT to_regclass('public." + table + "') IS NOT NULL")) {
            result.next();
            return result.getBoolean(1);
        }
    }
}
