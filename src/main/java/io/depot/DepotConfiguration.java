package io.depot;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.depot.auth.AuthConfiguration;
import io.depot.cache.RedisConfiguration;
import io.depot.db.DatabaseConfiguration;
import io.depot.lifecycle.LifecycleConfiguration;
import io.depot.maintenance.MaintenanceConfiguration;
import io.depot.resources.LimitsConfiguration;
import io.depot.storage.StorageConfiguration;
import io.dropwizard.core.Configuration;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** The whole of config.yml; each section's class lives beside the code it configures. */
public class DepotConfiguration
        extends Configuration
{
    @Valid
    @NotNull
    private DatabaseConfiguration database = new DatabaseConfiguration();

    @Valid
    @NotNull
    private StorageConfiguration storage = new StorageConfiguration();

    @Valid
    @NotNull
    private RedisConfiguration redis = new RedisConfiguration();

    @Valid
    @NotNull
    private LimitsConfiguration limits = new LimitsConfiguration();

    @Valid
    @NotNull
    private LifecycleConfiguration lifecycle = new LifecycleConfiguration();

    @Valid
    @NotNull
    private MaintenanceConfiguration maintenance = new MaintenanceConfiguration();

    @Valid
    @NotNull
    private MigrationsConfiguration migrations = new MigrationsConfiguration();

    @Valid
    @NotNull
    private AuthConfiguration auth = new AuthConfiguration();

    /** Substitution is lenient (for ${VAR:-default}), so an unset variable shows up here, named. */
    @ValidationMethod(message = "database.url must be a jdbc:postgresql: URL: is DEPOT_DB_URL set?")
    @JsonIgnore
    public boolean isDatabaseUrlSet()
    {
        return database.getUrl() != null && database.getUrl().startsWith("jdbc:postgresql:");
    }

    @ValidationMethod(message = "storage.bucket must be an S3 bucket name: is DEPOT_S3_BUCKET set?")
    @JsonIgnore
    public boolean isBucketSet()
    {
        return storage.getBucket() != null && storage.getBucket().matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    }

    @JsonProperty
    public DatabaseConfiguration getDatabase()
    {
        return database;
    }

    @JsonProperty
    public void setDatabase(DatabaseConfiguration database)
    {
        this.database = database;
    }

    @JsonProperty
    public StorageConfiguration getStorage()
    {
        return storage;
    }

    @JsonProperty
    public void setStorage(StorageConfiguration storage)
    {
        this.storage = storage;
    }

    @JsonProperty
    public RedisConfiguration getRedis()
    {
        return redis;
    }

    @JsonProperty
    public void setRedis(RedisConfiguration redis)
    {
        this.redis = redis;
    }

    @JsonProperty
    public LimitsConfiguration getLimits()
    {
        return limits;
    }

    @JsonProperty
    public void setLimits(LimitsConfiguration limits)
    {
        this.limits = limits;
    }

    @JsonProperty
    public LifecycleConfiguration getLifecycle()
    {
        return lifecycle;
    }

    @JsonProperty
    public void setLifecycle(LifecycleConfiguration lifecycle)
    {
        this.lifecycle = lifecycle;
    }

    @JsonProperty
    public MaintenanceConfiguration getMaintenance()
    {
        return maintenance;
    }

    @JsonProperty
    public void setMaintenance(MaintenanceConfiguration maintenance)
    {
        this.maintenance = maintenance;
    }

    @JsonProperty
    public MigrationsConfiguration getMigrations()
    {
        return migrations;
    }

    @JsonProperty
    public void setMigrations(MigrationsConfiguration migrations)
    {
        this.migrations = migrations;
    }

    @JsonProperty
    public AuthConfiguration getAuth()
    {
        return auth;
    }

    @JsonProperty
    public void setAuth(AuthConfiguration auth)
    {
        this.auth = auth;
    }
}
