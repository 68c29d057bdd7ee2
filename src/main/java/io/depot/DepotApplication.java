package io.depot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.depot.admin.LiveServlet;
import io.depot.admin.ReadyServlet;
import io.depot.admin.TextMetricsServlet;
import io.depot.admin.VersionServlet;
import io.depot.auth.BearerChallenge;
import io.depot.auth.TenantPrincipal;
import io.depot.auth.RejectedTokens;
import io.depot.auth.TokenAuthenticator;
import io.depot.cache.AssetCache;
import io.depot.cache.IdempotencyStore;
import io.depot.cache.RateLimiter;
import io.depot.cache.RedisConfiguration;
import io.depot.cache.RedisGateway;
import io.depot.cli.CheckRollbackCommand;
import io.depot.cli.LintMigrationsCommand;
import io.depot.cli.PredeployCheckCommand;
import io.depot.cli.TokenCommand;
import io.depot.core.AssetService;
import io.depot.core.ReleaseInfo;
import io.depot.core.UploadCapacity;
import io.depot.db.Migrations;
import io.depot.health.Readiness;
import io.depot.health.ReadinessHealthCheck;
import io.depot.health.RedisHealthCheck;
import io.depot.health.RedisStatus;
import io.depot.lifecycle.DrainOnTerminate;
import io.depot.lifecycle.LifecycleConfiguration;
import io.depot.lifecycle.ShutdownState;
import io.depot.lifecycle.UnroutedTask;
import io.depot.logging.QuietRequestLog;
import io.depot.maintenance.MaintenanceConfiguration;
import io.depot.maintenance.MaintenancePass;
import io.depot.maintenance.OutboxWorker;
import io.depot.maintenance.Reconciler;
import io.depot.resources.AcceptFilter;
import io.depot.resources.ApiJsonWriter;
import io.depot.resources.AssetContentResource;
import io.depot.resources.AssetResource;
import io.depot.resources.AssetsResource;
import io.depot.resources.CodingListsCustomizer;
import io.depot.resources.ContentEncodingFilter;
import io.depot.resources.ContentTypeFilter;
import io.depot.resources.DependencyUnavailableMapper;
import io.depot.resources.DepotExceptionMapper;
import io.depot.resources.HeadFilter;
import io.depot.resources.Idempotency;
import io.depot.resources.JsonErrorHandler;
import io.depot.resources.KnownMethodsFilter;
import io.depot.resources.LimitsConfiguration;
import io.depot.resources.OpenApiResource;
import io.depot.resources.RateLimitFilter;
import io.depot.resources.RefusedBodyFilter;
import io.depot.resources.RequestIdFilter;
import io.depot.resources.RoutingErrorMapper;
import io.depot.resources.SingleValuesFilter;
import io.depot.resources.StrictJson;
import io.depot.resources.TokenRequired;
import io.depot.resources.UndecodableBodyMapper;
import io.depot.resources.UnsupportedMediaTypeMapper;
import io.depot.resources.UploadCompletionResource;
import io.depot.resources.UploadsResource;
import io.depot.storage.ObjectStore;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.jdbi3.JdbiFactory;
import io.dropwizard.lifecycle.AutoCloseableManager;
import io.dropwizard.migrations.MigrationsBundle;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.DispatcherType;
import liquibase.GlobalConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Wires Depot together; the behaviour lives in the classes it wires. */
public class DepotApplication
        extends Application<DepotConfiguration>
{
    public static void main(String[] arguments)
            throws Exception
    {
        new DepotApplication().run(arguments);
    }

    @Override
    public String getName()
    {
        return "depot";
    }

    @Override
    public void initialize(Bootstrap<DepotConfiguration> bootstrap)
    {
        // Non-strict, so ${VAR:-default} gives defaults; every secret and endpoint comes from the environment.
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
        // ISO-8601 timestamps in every response, not epoch numbers.
        bootstrap.getObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        bootstrap.addBundle(new MigrationsBundle<>()
        {
            @Override
            public DataSourceFactory getDataSourceFactory(DepotConfiguration configuration)
            {
                return configuration.getMigrations().dataSource(configuration.getDatabase());
            }

            // A second `db migrate` (another host, a retried job) waits for the first's changelog
            // lock, then finds nothing to apply; it checks every 2 s instead of Liquibase's 10.
            @Override
            public Map<String, Object> getScopedObjects()
            {
                return Map.of(GlobalConfiguration.CHANGELOGLOCK_POLL_RATE.getKey(), 2L,
                        GlobalConfiguration.CHANGELOGLOCK_WAIT_TIME.getKey(), 15L);
            }

            @Override
            public String getMigrationsFileName()
            {
                return Migrations.CHANGELOG;
            }
        });
        bootstrap.addCommand(new TokenCommand());
        bootstrap.addCommand(new PredeployCheckCommand());
        bootstrap.addCommand(new LintMigrationsCommand());
        bootstrap.addCommand(new CheckRollbackCommand());
    }

    @Override
    public void run(DepotConfiguration configuration, Environment environment)
    {
        Clock clock = Clock.systemUTC();
        ObjectMapper json = environment.getObjectMapper();
        CompletableFuture<ReleaseInfo> release = ReleaseInfo.load(DepotApplication.class, clock.instant());
        ShutdownState shutdown = new ShutdownState();

        Jdbi jdbi = new JdbiFactory().build(environment, configuration.getDatabase(), "postgresql");
        ObjectStore objects = new ObjectStore(configuration.getStorage());
        environment.lifecycle().manage(new AutoCloseableManager(objects));
        RedisGateway redis = new RedisGateway(configuration.getRedis(), environment.metrics(), clock);
        environment.lifecycle().manage(redis);

        LimitsConfiguration limits = configuration.getLimits();
        RedisConfiguration redisConfiguration = configuration.getRedis();
        AssetCache cache = new AssetCache(redis, json, redisConfiguration.getMetadataTtl(), environment.metrics());
        UploadCapacity uploadCapacity = new UploadCapacity(limits.getUploadBufferBudget().toBytes(),
                Math.toIntExact(configuration.getStorage().getPartSize().toBytes()), configuration.getStorage().getPartsInFlight(),
                limits.getUploadBufferWait().toJavaDuration(),
                limits.getUploadsPerTenant(), environment.metrics());
        environment.lifecycle().manage(new AutoCloseableManager(uploadCapacity));
        MaintenanceConfiguration maintenance = configuration.getMaintenance();
        AssetService assets = new AssetService(jdbi, objects, cache, clock, limits.getUploadLimit().toBytes(), uploadCapacity,
                maintenance.getOrphanAge().toJavaDuration(), environment.metrics());
        Idempotency idempotency = new Idempotency(new IdempotencyStore(redis, json, redisConfiguration.getIdempotencyTtl().toSeconds()), json);
        RateLimiter rateLimiter = new RateLimiter(redis, clock, limits.getRateLimitWindow().toSeconds(), environment.metrics());

        DepotExceptionMapper errors = new DepotExceptionMapper();
        environment.jersey().register(errors);
        environment.jersey().register(new DependencyUnavailableMapper.Database(errors));
        environment.jersey().register(new DependencyUnavailableMapper.ObjectStorage(errors));
        environment.jersey().register(new UnsupportedMediaTypeMapper());
        environment.jersey().register(new UndecodableBodyMapper());
        environment.jersey().register(new RoutingErrorMapper.MethodNotAllowed());
        environment.jersey().register(new RoutingErrorMapper.NotAcceptable());
        environment.jersey().register(new RoutingErrorMapper.NoSuchRoute());
        StrictJson.apply(json);
        environment.jersey().register(new StrictJson());
        environment.jersey().register(new StrictJson.DuplicateField());
        environment.jersey().register(new ApiJsonWriter.ForAsset(json));
        environment.jersey().register(new ApiJsonWriter.ForPage(json));
        environment.jersey().register(new AcceptFilter());
        environment.jersey().register(new SingleValuesFilter());
        BearerChallenge bearer = new BearerChallenge();
        // One thread: a recheck is one indexed lookup, and each cached token has at most one queued.
        ExecutorService tokenRechecks = environment.lifecycle().executorService("token-recheck-%d").minThreads(1).maxThreads(1).build();
        environment.jersey().register(new AuthDynamicFeature(new OAuthCredentialAuthFilter.Builder<TenantPrincipal>()
                .setAuthenticator(configuration.getAuth().build(new TokenAuthenticator(jdbi,
                        new RejectedTokens(limits.getRejectedTokenTtl().toJavaDuration(), RejectedTokens.MAXIMUM_SIZE, environment.metrics()),
                        environment.metrics()), tokenRechecks, environment.metrics()))
                .setPrefix(BearerChallenge.SCHEME)
                .setRealm(BearerChallenge.REALM)
                .setUnauthorizedHandler(bearer)
                .buildAuthFilter()));
        environment.jersey().register(new AuthValueFactoryProvider.Binder<>(TenantPrincipal.class));
        environment.jersey().register(new TokenRequired(bearer, new RateLimitFilter(rateLimiter, limits.getRequestsPerWindow())));
        environment.jersey().register(new AssetsResource(assets, idempotency, limits));
        environment.jersey().register(new AssetResource(assets));
        environment.jersey().register(new AssetContentResource(assets));
        environment.jersey().register(new UploadsResource(assets, idempotency));
        environment.jersey().register(new UploadCompletionResource(assets, idempotency));
        environment.jersey().register(OpenApiResource.fromClassPath());
        environment.servlets().addFilter("refused-body", new RefusedBodyFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        environment.servlets().addFilter("request-id", new RequestIdFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        environment.servlets().addFilter("known-methods", new KnownMethodsFilter(json))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        environment.servlets().addFilter("head", new HeadFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        environment.servlets().addFilter("content-encoding", new ContentEncodingFilter(json))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        environment.servlets().addFilter("content-type", new ContentTypeFilter(json))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");

        LifecycleConfiguration lifecycle = configuration.getLifecycle();
        Readiness readiness = new Readiness(jdbi, objects, Migrations.load(), shutdown, lifecycle.getReadinessInterval().toMilliseconds());
        environment.lifecycle().manage(readiness);
        environment.healthChecks().register("readiness", new ReadinessHealthCheck(readiness));
        environment.healthChecks().register("redis", new RedisHealthCheck(redis));
        environment.admin().addServlet("ready", new ReadyServlet(json, readiness, new RedisStatus(redis))).addMapping("/ready");
        environment.admin().addServlet("live", new LiveServlet(json)).addMapping("/live");
        environment.admin().addServlet("version", new VersionServlet(json, release)).addMapping("/version");
        environment.admin().addTask(new UnroutedTask(shutdown));

        PrometheusRegistry prometheus = new PrometheusRegistry();
        // Jersey's per-request "<method>.total" timers would clash with the method timers once
        // Prometheus strips the _total suffix, and they measure the same thing.
        DropwizardExports.builder().dropwizardRegistry(environment.metrics())
                .metricFilter((name, metric) -> !name.endsWith(".total"))
                .register(prometheus);
        environment.admin().addServlet("prometheus", new TextMetricsServlet(prometheus)).addMapping("/metrics");

        ScheduledExecutorService background = environment.lifecycle().scheduledExecutorService("maintenance-%d").threads(2).build();
        OutboxWorker outbox = new OutboxWorker(jdbi, objects);
        Reconciler reconciler = new Reconciler(jdbi, objects, clock, maintenance.getOrphanAge().toJavaDuration());
        long outboxSeconds = maintenance.getOutboxInterval().toSeconds();
        long reconcileSeconds = maintenance.getReconcileInterval().toSeconds();
        background.scheduleWithFixedDelay(new MaintenancePass("outbox", outbox::drainOnce), outboxSeconds, outboxSeconds, TimeUnit.SECONDS);
        background.scheduleWithFixedDelay(new MaintenancePass("reconciler", reconciler::reconcileOnce), reconcileSeconds, reconcileSeconds, TimeUnit.SECONDS);

        // One error shape for the whole application port, also for what Jetty answers itself.
        JsonErrorHandler errorHandler = new JsonErrorHandler(json);
        environment.getApplicationContext().setErrorHandler(errorHandler.forContext());
        environment.lifecycle().addServerLifecycleListener(server -> server.setErrorHandler(errorHandler.forServer()));
        environment.lifecycle().addServerLifecycleListener(server -> server.getContainedBeans(HttpConnectionFactory.class).forEach(http -> {
            // Header values reach Depot as sent: a case-insensitive header cache turns "text/plain; charset=UTF-8" into Jetty's own spelling.
            http.getHttpConfiguration().setHeaderCacheCaseSensitive(true);
            http.getHttpConfiguration().addCustomizer(new CodingListsCustomizer());
        }));
        environment.lifecycle().addEventListener(new QuietRequestLog());
        environment.lifecycle().addServerLifecycleListener(server ->
                DrainOnTerminate.install(shutdown, lifecycle.getDrainWindow().toJavaDuration(), lifecycle.getUploadFinishWindow().toJavaDuration(),
                        uploadCapacity::uploadsInFlight, uploadCapacity::cutUploadsInFlight, server));
    }
}
