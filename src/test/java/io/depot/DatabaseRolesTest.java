package io.depot;

import io.depot.testing.DepotServer;
import io.depot.testing.TestStack;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The service connects as a role that reads and writes rows and changes no schema; `db migrate`
 * connects as the schema's owner. A statement the service could be tricked into running cannot
 * drop or alter what it serves.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DatabaseRolesTest
{
    /** PostgreSQL's insufficient_privilege. */
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    static final DropwizardAppExtension<DepotConfiguration> APP = DepotServer.extension();

    @Test
    void theServiceIsNotTheOwner()
            throws SQLException
    {
        String service = TestStack.get().environment().get("DEPOT_DB_USER");
        String owner = TestStack.get().environment().get("DEPOT_DB_OWNER_USER");
        assertThat(service).isNotBlank().isNotEqualTo(owner);
        assertThat(APP.getConfiguration().getDatabase().getUser()).isEqualTo(service);
        try (Connection connection = TestStack.get().connect(); Statement statement = connection.createStatement();
                ResultSet tables = statement.executeQuery("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")) {
            assertThat(tables.next()).isTrue();
            assertThat(tables.getString(1)).as("what db migrate created belongs to the owner").isEqualTo(owner);
            assertThat(tables.next()).isFalse();
        }
    }

    @Test
    void theServiceRoleReadsAndWritesRows()
            throws SQLException
    {
        try (Connection connection = TestStack.get().connectAsService(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.executeUpdate("DELETE FROM object_deletions WHERE false");
            assertThat(statement.executeQuery("SELECT count(*) FROM assets").next()).isTrue();
            // Readiness compares the changelog with the jar's changesets.
            assertThat(statement.executeQuery("SELECT count(*) FROM databasechangelog").next()).isTrue();
            connection.rollback();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "CREATE TABLE intruder (id int)",
            "CREATE SCHEMA intruder",
            "DROP TABLE assets",
            "ALTER TABLE assets ADD COLUMN intruder int",
            "CREATE INDEX intruder ON assets (created_at)",
            "TRUNCATE assets",
            "DROP TABLE databasechangelog",
    })
    void theServiceRoleChangesNoSchema(String statement)
    {
        assertThatThrownBy(() -> {
            try (Connection connection = TestStack.get().connectAsService(); Statement ddl = connection.createStatement()) {
                ddl.execute(statement);
            }
        }).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo(INSUFFICIENT_PRIVILEGE));
    }
}
