package io.depot.db;

import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.changelog.ChangeLogHistoryServiceFactory;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.executor.ExecutorService;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.ResourceAccessor;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Jdbi;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * This release's changelog as Liquibase reads it, and which of its changesets a database has not
 * applied yet, by Liquibase's own comparison ("id::author", in changelog order). Readiness and
 * {@code predeploy-check} ask the same question the same way {@code db status} answers it.
 */
public final class Migrations
{
    public static final String CHANGELOG = "migrations.xml";

    private final ResourceAccessor resources = new ClassLoaderResourceAccessor(Migrations.class.getClassLoader());
    private final DatabaseChangeLog changeLog;

    private Migrations(DatabaseChangeLog changeLog)
    {
        this.changeLog = changeLog;
    }

    /** Parses the changelog once; a release whose changelog does not parse does not start. */
    public static Migrations load()
    {
        ResourceAccessor resources = new ClassLoaderResourceAccessor(Migrations.class.getClassLoader());
        try {
            return new Migrations(ChangeLogParserFactory.getInstance().getParser(CHANGELOG, resources)
                    .parse(CHANGELOG, new ChangeLogParameters(), resources));
        }
        catch (LiquibaseException e) {
            throw new IllegalStateException("cannot read " + CHANGELOG + ": " + e.getMessage(), e);
        }
    }

    /** Every changeset the changelog declares. */
    public List<String> declared()
    {
        return changeLog.getChangeSets().stream().map(Migrations::name).toList();
    }

    /** Declared changesets the database has not applied; a database without Liquibase's tables has applied none. Reads only. */
    public List<String> pending(Jdbi jdbi)
    {
        return jdbi.withHandle(handle -> {
            try {
                return pending(handle.getConnection());
            }
            catch (SQLException e) {
                throw new ConnectionException(e);
            }
        });
    }

    private List<String> pending(Connection connection)
            throws SQLException
    {
        boolean autoCommit = connection.getAutoCommit();
        Database database = null;
        try {
            database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
            // false: never create Liquibase's tables or take its lock; the service's role may not, and asking must not change anything.
            return new Liquibase(changeLog, resources, database).listUnrunChangeSets(new Contexts(), new LabelExpression(), false)
                    .stream().map(Migrations::name).toList();
        }
        catch (LiquibaseException e) {
            throw new IllegalStateException("Liquibase cannot compare " + CHANGELOG + " with the database: " + e.getMessage(), e);
        }
        finally {
            // Liquibase keeps per-connection state (the history it read, an executor) that would go stale
            // or pile up with pooled connections, and it switched auto-commit off for its own work.
            if (database != null) {
                Scope.getCurrentScope().getSingleton(ExecutorService.class).clearExecutor("jdbc", database);
            }
            Scope.getCurrentScope().getSingleton(ChangeLogHistoryServiceFactory.class).resetAll();
            if (connection.getAutoCommit() != autoCommit) {
                connection.rollback();
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    private static String name(ChangeSet changeSet)
    {
        return changeSet.getId() + "::" + changeSet.getAuthor();
    }
}
