package io.depot.lifecycle;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.time.Duration;
import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/**
 * SIGTERM starts a drain instead of an immediate stop: /ready turns 503 at once, the
 * application keeps serving for the drain window while the load balancer notices, and then
 * {@code System.exit(0)} hands over to Jetty's ShutdownThread, which stops the server gracefully
 * within the grace period. The exit status is 0 because the stop was asked for.
 * Not Dropwizard's delayedShutdownHandler: it flips only dropwizard-health's state (the application
 * port's /health-check, not the admin /ready the balancer probes) and then lets Jetty stop without
 * closing the listeners first, so requests on connections accepted meanwhile would get 503s.
 */
public final class DrainOnTerminate
{
    private static final Logger log = LoggerFactory.getLogger(DrainOnTerminate.class);

    private static final long SETTLE_MILLIS = 1_000;

    private DrainOnTerminate() {}

    public static void install(ShutdownState shutdown, Duration drainWindow, Server server)
    {
        requireNonNull(shutdown, "shutdown is null");
        requireNonNull(drainWindow, "drainWindow is null");
        requireNonNull(server, "server is null");
        Signal.handle(new Signal("TERM"), signal -> {
            if (!shutdown.startDraining()) {
                return;
            }
            log.info("SIGTERM: draining for {} s, then stopping", drainWindow.toSeconds());
            Thread stopper = new Thread(() -> {
                sleep(drainWindow.toMillis());
                log.info("drain window over: closing listeners, finishing in-flight requests");
                // Close the sockets first: Jetty's own stop turns new requests into 503s at once, so a
                // connection accepted just before must get its request in before that stop begins.
                for (Connector connector : server.getConnectors()) {
                    if (connector instanceof NetworkConnector listener) {
                        listener.close();
                    }
                }
                awaitQuietConnections(server);
                System.exit(0);
            }, "drain");
            stopper.setDaemon(false);
            stopper.start();
        });
    }

    /**
     * Gives connections accepted just before the close up to {@link #SETTLE_MILLIS} to finish
     * (one-shot clients close theirs after the response); idle keep-alive connections of a proxy
     * that no longer sends here only cost that bound. Requests still running are Jetty's to finish
     * within the grace period.
     */
    private static void awaitQuietConnections(Server server)
    {
        long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000L;
        while (System.nanoTime() < deadline && Arrays.stream(server.getConnectors()).anyMatch(connector -> !connector.getConnectedEndPoints().isEmpty())) {
            sleep(20);
        }
    }

    private static void sleep(long millis)
    {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
