package io.depot.testing;

import io.depot.DepotApplication;
import io.depot.DepotConfiguration;
import io.depot.core.ApiTokens;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * The real application, booted from the repository's config.yml against the test stack, with
 * the schema migrated by the jar's own `db migrate` command. {@link DepotClient} talks to it.
 */
public final class DepotServer
{
    private DepotServer() {}

    public static DropwizardAppExtension<DepotConfiguration> extension()
    {
        return extension(Map.of());
    }

    /** The application with {@code extra} configuration (key path to value) on top of {@link #overrides}. */
    public static DropwizardAppExtension<DepotConfiguration> extension(Map<String, String> extra)
    {
        TestStack stack = TestStack.get();
        List<ConfigOverride> all = overrides(stack, extra);
        migrate(stack, all);
        return unmigrated(stack, all);
    }

    /** The application without `db migrate` first, for tests of what happens before it. */
    public static DropwizardAppExtension<DepotConfiguration> unmigrated(TestStack stack, List<ConfigOverride> overrides)
    {
        return new DropwizardAppExtension<>(DepotApplication.class, stack.repository().resolve("config.yml").toString(),
                overrides.toArray(ConfigOverride[]::new));
    }

    /** Random ports, quick readiness checks and the test stack's endpoints, each key once; {@code extra} wins. */
    public static List<ConfigOverride> overrides(TestStack stack, Map<String, String> extra)
    {
        Map<String, String> environment = stack.environment();
        Map<String, String> values = new LinkedHashMap<>();
        values.put("server.applicationConnectors[0].port", "0");
        values.put("server.adminConnectors[0].port", "0");
        values.put("lifecycle.readinessInterval", "200ms");
        // S3Proxy on a loaded test machine is far slower than S3; the production bounds are not under test here.
        values.put("storage.callTimeout", "120s");
        values.put("storage.attemptTimeout", "60s");
        values.put("database.url", environment.get("DEPOT_DB_URL"));
        values.put("database.user", environment.get("DEPOT_DB_USER"));
        values.put("database.password", environment.get("DEPOT_DB_PASSWORD"));
        values.put("migrations.user", environment.get("DEPOT_DB_OWNER_USER"));
        values.put("migrations.password", environment.get("DEPOT_DB_OWNER_PASSWORD"));
        values.put("redis.url", environment.get("DEPOT_REDIS_URL"));
        values.put("storage.bucket", environment.get("DEPOT_S3_BUCKET"));
        values.put("storage.endpoint", environment.get("DEPOT_S3_ENDPOINT"));
        values.put("storage.pathStyle", environment.get("DEPOT_S3_PATH_STYLE"));
        values.putAll(extra);
        return values.entrySet().stream().map(entry -> ConfigOverride.config(entry.getKey(), entry.getValue())).toList();
    }

    /** Runs `db migrate` through the application's own command line, with the same overrides. */
    public static void migrate(TestStack stack, List<ConfigOverride> overrides)
    {
        overrides.forEach(ConfigOverride::addToSystemProperties);
        try {
            new DepotApplication().run("db", "migrate", stack.repository().resolve("config.yml").toString());
        }
        catch (Exception e) {
            throw new IllegalStateException("db migrate failed", e);
        }
        finally {
            overrides.forEach(ConfigOverride::removeFromSystemProperties);
        }
    }

    public static URI uri(DropwizardAppExtension<?> app, String pathAndQuery)
    {
        return URI.create("http://127.0.0.1:" + app.getLocalPort() + pathAndQuery);
    }

    public static URI admin(DropwizardAppExtension<?> app, String path)
    {
        return URI.create("http://127.0.0.1:" + app.getAdminPort() + path);
    }

    /** A new tenant-scoped token, stored the way `token create` stores it (only the hash), held to the configured rate limit. */
    public static String createToken(String tenant)
    {
        return createToken(tenant, OptionalInt.empty());
    }

    /** A new tenant-scoped token with a rate limit of its own, as `token create --requests-per-window` stores it. */
    public static String createToken(String tenant, OptionalInt requestsPerWindow)
    {
        String token = ApiTokens.generate();
        try (Connection connection = TestStack.get().connect();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO api_tokens (id, tenant, name, token_hash, requests_per_window, created_at) VALUES (?, ?, 'test', ?, ?, now())")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setString(2, tenant);
            insert.setString(3, ApiTokens.hash(token));
            insert.setObject(4, requestsPerWindow.isPresent() ? requestsPerWindow.getAsInt() : null, Types.INTEGER);
            insert.executeUpdate();
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return token;
    }

    /** A tenant name no other test uses, so tests never see each other's assets. */
    public static String newTenant()
    {
        return "t-" + UUID.randomUUID().toString().substring(0, 13);
    }
}
