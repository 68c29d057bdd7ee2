package io.depot.db;

import com.codahale.metrics.MetricRegistry;
import io.depot.testing.TestStack;
import io.dropwizard.db.ManagedDataSource;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pool Depot builds against the real PostgreSQL: driver statements, wrapped connections. */
class DatabaseConfigurationTest
{
    @Test
    void statementsAndRowsAreTheDriversOwn()
            throws Exception
    {
        ManagedDataSource dataSource = configuration().build(new MetricRegistry(), "test");
        dataSource.start();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("SELECT 1");
                ResultSet rows = statement.executeQuery()) {
            assertThat(Proxy.isProxyClass(statement.getClass())).as("a statement from the pool is not proxied").isFalse();
            assertThat(Proxy.isProxyClass(rows.getClass())).as("nor are its rows").isFalse();
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(1);
        }
        finally {
            dataSource.stop();
        }
    }

    @Test
    void aConnectionGivenBackCannotBeUsedAgain()
            throws Exception
    {
        ManagedDataSource dataSource = configuration().build(new MetricRegistry(), "test");
        dataSource.start();
        try {
            Connection connection = dataSource.getConnection();
            connection.close();
            assertThatThrownBy(() -> connection.prepareStatement("SELECT 1")).isInstanceOf(SQLException.class);
        }
        finally {
            dataSource.stop();
        }
    }

    @Test
    void configuredStatementInterceptorsKeepThePoolsProxies()
            throws Exception
    {
        DatabaseConfiguration configuration = configuration();
        configuration.setJdbcInterceptors(Optional.of("StatementFinalizer"));
        ManagedDataSource dataSource = configuration.build(new MetricRegistry(), "test");
        dataSource.start();
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement("SELECT 1")) {
            assertThat(Proxy.isProxyClass(statement.getClass())).isTrue();
        }
        finally {
            dataSource.stop();
        }
    }

    private static DatabaseConfiguration configuration()
    {
        Map<String, String> environment = TestStack.get().environment();
        DatabaseConfiguration configuration = new DatabaseConfiguration();
        configuration.setDriverClass("org.postgresql.Driver");
        configuration.setUrl(environment.get("DEPOT_DB_URL"));
        configuration.setUser(environment.get("DEPOT_DB_USER"));
        configuration.setPassword(environment.get("DEPOT_DB_PASSWORD"));
        return configuration;
    }
}
