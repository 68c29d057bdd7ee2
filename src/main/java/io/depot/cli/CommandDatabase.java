package io.depot.cli;

import com.codahale.metrics.MetricRegistry;
import io.depot.DepotConfiguration;
import io.dropwizard.db.ManagedDataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/** A short-lived database connection for a command run outside the server. */
final class CommandDatabase
        implements AutoCloseable
{
    private final ManagedDataSource dataSource;
    private final Jdbi jdbi;

    CommandDatabase(DepotConfiguration configuration)
            throws Exception
    {
        // config.yml substitutes leniently, so an unset DEPOT_DB_URL arrives here as the literal
        // "${DEPOT_DB_URL}"; say so before the pool logs a stack trace about a null connection.
        String url = configuration.getDatabase().getUrl();
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("database.url is not a jdbc:postgresql: URL: is DEPOT_DB_URL set?");
        }
        dataSource = configuration.getDatabase().build(new MetricRegistry(), "command");
        dataSource.start();
        jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
    }

    Jdbi jdbi()
    {
        return jdbi;
    }

    @Override
    public void close()
            throws Exception
    {
        dataSource.stop();
    }
}
