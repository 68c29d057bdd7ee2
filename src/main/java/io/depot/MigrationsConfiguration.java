package io.depot;

import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How `db migrate` treats the serving fleet: a statement waiting for a table lock gives up after
 * lockTimeout instead of queueing every query of the fleet behind it, and no statement runs
 * longer than statementTimeout. It connects as the schema's owner ({@code user}, {@code password})
 * when one is set: the service's own role has no DDL rights.
 */
public class MigrationsConfiguration
{
    @NotNull
    public Duration lockTimeout = Duration.seconds(5);

    @NotNull
    public Duration statementTimeout = Duration.minutes(30);

    /** The schema owner's role; empty: the service's own credentials. */
    public String user = "";

    public String password = "";

    /**
     * The service's database settings with the timeouts set on every migration connection, and a
     * socket timeout that outlasts the longest statement (the service's is meant for queries).
     */
    public DataSourceFactory dataSource(DataSourceFactory service)
    {
        DataSourceFactory migrations = new DataSourceFactory();
        migrations.setDriverClass(service.getDriverClass());
        migrations.setUrl(service.getUrl());
        boolean owner = user != null && !user.isBlank();
        migrations.setUser(owner ? user : service.getUser());
        migrations.setPassword(owner ? password : service.getPassword());
        Map<String, String> properties = new LinkedHashMap<>(service.getProperties());
        String options = "-c lock_timeout=" + lockTimeout.toMilliseconds() + " -c statement_timeout=" + statementTimeout.toMilliseconds();
        properties.merge("options", options, (existing, added) -> existing + " " + added);
        properties.put("socketTimeout", String.valueOf(statementTimeout.toSeconds() + 60));
        migrations.setProperties(properties);
        return migrations;
    }
}
