package io.depot.db;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.db.ManagedPooledDataSource;

/**
 * Dropwizard's pool settings, building a pool that hands out the driver's own statements and result
 * sets. By default the pool wraps every statement, and every result set it returns, in a reflective
 * proxy so that statement interceptors can compare closed statements; Depot configures none, and the
 * proxies cost each call on a row ({@code next}, {@code getString}, ...): more than a quarter of a
 * list page's CPU. Connections stay wrapped, so one returned to the pool cannot be used again.
 */
public class DatabaseConfiguration
        extends DataSourceFactory
{
    @Override
    public ManagedDataSource build(MetricRegistry metricRegistry, String name)
    {
        ManagedDataSource dataSource = super.build(metricRegistry, name);
        if (getJdbcInterceptors().isEmpty() && dataSource instanceof ManagedPooledDataSource pooled) {
            pooled.getPoolProperties().setUseStatementFacade(false);
        }
        return dataSource;
    }
}
