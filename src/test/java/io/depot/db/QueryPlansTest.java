package io.depot.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.testing.DepotServer;
import io.depot.testing.TestStack;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every statement of {@link AssetDao} is planned against a table of 100,000 assets loaded by
 * scripts/seed-assets, nine in ten of them one tenant's (a large customer's catalogue), and
 * must read only the rows it needs through an index: no plan scans the assets table or filters
 * through the big tenant's rows, so a read costs the same at a million rows (make bench measures
 * that). Both plans PostgreSQL may run are executed: the one for the values at hand and the generic
 * one a prepared statement can switch to after a few executions, which estimates a tenant's rows
 * from the average and can pick an index that still reads nine rows in ten.
 * {@link #aStatementWithoutAnIndexIsCaught} shows both failures caught.
 */
class QueryPlansTest
{
    private static final int ASSETS = 100_000;
    private static final Pattern NAMED_PARAMETER = Pattern.compile("(?<!:):(\\w+)");
    // A page is 51 rows at most (limit + 1); more means the statement filters rows an index should have skipped.
    private static final long MOST_ROWS_READ = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String databaseUrl;
    private static Connection connection;
    private static Map<String, String> literals;

    @BeforeAll
    static void seed()
            throws SQLException
    {
        TestStack stack = TestStack.get();
        databaseUrl = stack.createDatabase("plans");
        DepotServer.migrate(stack, DepotServer.overrides(stack, Map.of("database.url", databaseUrl)));
        String tenant = stack.seedAssets(databaseUrl, ASSETS);
        connection = stack.connect(databaseUrl);
        // A position deep in the big tenant's listing, where a page that scanned would cost the most.
        try (Statement statement = connection.createStatement();
                ResultSet deep = statement.executeQuery("SELECT id, created_at, object_key FROM assets WHERE tenant = '" + tenant
                        + "' ORDER BY created_at DESC, id DESC OFFSET " + ASSETS * 8 / 10 + " LIMIT 1")) {
            assertThat(deep.next()).as("the seeded tenant's rows").isTrue();
            literals = Map.of(
                    "id", "'" + deep.getString("id") + "'::uuid",
                    "tenant", "'" + tenant + "'::varchar",
                    "createdAt", "'" + deep.getString("created_at") + "'::timestamptz",
                    "limit", "51::int",
                    "keys", "ARRAY['" + deep.getString("object_key") + "', 'tenants/" + tenant + "/assets/none']::varchar[]",
                    "filename", "'a.bin'::varchar",
                    "contentType", "'application/octet-stream'::varchar",
                    "size", "1::bigint",
                    "sha256", "'" + "0".repeat(64) + "'::char(64)",
                    "objectKey", "'tenants/" + tenant + "/assets/new'::varchar");
        }
    }

    @AfterAll
    static void drop()
            throws SQLException
    {
        if (connection != null) {
            connection.close();
        }
        TestStack.get().execute("DROP DATABASE IF EXISTS " + databaseUrl.substring(databaseUrl.lastIndexOf('/') + 1));
    }

    static Stream<Method> statements()
    {
        return Arrays.stream(AssetDao.class.getDeclaredMethods())
                .filter(method -> method.isAnnotationPresent(SqlQuery.class) || method.isAnnotationPresent(SqlUpdate.class));
    }

    @ParameterizedTest
    @MethodSource("statements")
    void everyStatementReadsOnlyTheRowsItNeeds(Method method)
            throws Exception
    {
        String sql = method.isAnnotationPresent(SqlQuery.class) ? method.getAnnotation(SqlQuery.class).value() : method.getAnnotation(SqlUpdate.class).value();
        List<String> names = Arrays.stream(method.getParameters()).map(QueryPlansTest::bindName).toList();
        for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
            assertThat(problems(sql, names, mode)).as(method.getName() + " (" + mode + ")").isEmpty();
        }
    }

    @Test
    void aStatementWithoutAnIndexIsCaught()
            throws Exception
    {
        // Its generic plan looks fine on paper (an index on tenant), but reads the big tenant's every row.
        String filter = "SELECT id FROM assets WHERE tenant = :tenant AND filename = :filename";
        assertThat(problems(filter, List.of("tenant", "filename"), "force_generic_plan")).singleElement().asString()
                .startsWith("Bitmap Heap Scan reads " + ASSETS * 9 / 10 + " rows of assets");
        assertThat(problems("SELECT id FROM assets WHERE filename = :filename", List.of("filename"), "force_custom_plan")).singleElement().asString()
                .startsWith("Seq Scan on assets");
    }

    @Test
    void theSeedingCommandLoadedTheTable()
            throws SQLException
    {
        try (Statement statement = connection.createStatement();
                ResultSet counts = statement.executeQuery("SELECT count(*), count(*) FILTER (WHERE tenant = 'scale'), count(DISTINCT tenant) FROM assets")) {
            assertThat(counts.next()).isTrue();
            assertThat(counts.getLong(1)).isEqualTo(ASSETS);
            assertThat(counts.getLong(2)).isEqualTo(ASSETS * 9L / 10);
            assertThat(counts.getLong(3)).isEqualTo(100);
        }
    }

    /**
     * What is wrong with the statement's plan under {@code planCacheMode}, executed (EXPLAIN ANALYZE,
     * rolled back) with {@link #literals}: each scan of the whole table, and each node that reads more
     * rows of assets than {@link #MOST_ROWS_READ}. A statement without WHERE (the INSERT) is planned only.
     */
    private static List<String> problems(String sql, List<String> parameterNames, String planCacheMode)
            throws Exception
    {
        Map<String, Integer> positions = new LinkedHashMap<>();
        Matcher matcher = NAMED_PARAMETER.matcher(sql);
        StringBuilder numbered = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            assertThat(literals).as("a value for :" + name).containsKey(name);
            assertThat(parameterNames).as("a bound parameter :" + name).contains(name);
            matcher.appendReplacement(numbered, "\\$" + positions.computeIfAbsent(name, key -> positions.size() + 1));
        }
        matcher.appendTail(numbered);
        List<String> types = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (String name : positions.keySet()) {
            String literal = literals.get(name);
            types.add(literal.substring(literal.lastIndexOf("::") + 2));
            values.add(literal);
        }
        String options = sql.contains(" WHERE ") ? "ANALYZE, FORMAT JSON" : "FORMAT JSON";
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL plan_cache_mode = " + planCacheMode);
            statement.execute("PREPARE statement_under_test (" + String.join(", ", types) + ") AS " + numbered);
            try (ResultSet rows = statement.executeQuery("EXPLAIN (" + options + ") EXECUTE statement_under_test (" + String.join(", ", values) + ")")) {
                assertThat(rows.next()).isTrue();
                List<String> problems = new ArrayList<>();
                collect(JSON.readTree(rows.getString(1)).get(0).get("Plan"), problems);
                return problems;
            }
        }
        finally {
            connection.rollback();
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("DEALLOCATE ALL");
            }
        }
    }

    private static void collect(JsonNode node, List<String> problems)
    {
        String type = node.path("Node Type").asText();
        if ("assets".equals(node.path("Relation Name").asText())) {
            long read = (node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong()
                    + node.path("Rows Removed by Index Recheck").asLong()) * node.path("Actual Loops").asLong(1);
            if (type.equals("Seq Scan")) {
                problems.add("Seq Scan on assets (" + read + " rows read)");
            }
            else if (read > MOST_ROWS_READ) {
                problems.add(type + " reads " + read + " rows of assets " + node.path("Index Name").asText("(no index)"));
            }
        }
        node.path("Plans").forEach(child -> collect(child, problems));
    }

    private static String bindName(Parameter parameter)
    {
        return parameter.getAnnotation(Bind.class).value();
    }
}
