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
