package io.depot.bench.hello;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Environment;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/**
 * The benchmarks' baseline: one JSON resource on Dropwizard's default configuration. Served
 * under /api/v1/ so that nginx gives it the same location (and work) as Depot's API.
 */
public class HelloApplication extends Application<Configuration> {
    public static void main(String[] arguments) throws Exception {
        new HelloApplication().run(arguments);
    }

    @Override
    public void run(Configuration configuration, Environment environment) {
        environment.jersey().register(new HelloResource());
    }

    @Path("/api/v1/hello")
    @Produces(MediaType.APPLICATION_JSON)
    public static class HelloResource {
        @GET
        public Map<String, String> hello() {
            return Map.of("message", "hello");
        }
    }
}
