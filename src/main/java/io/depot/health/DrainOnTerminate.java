package io.depot.health;

import io.depot.core.ShutdownState;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.time.Clock;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * SIGTERM starts a drain instead of an immediate stop: /ready turns 503 at once, the
 * application keeps serving for the drain window while the load balancer notices, and then
 * {@code System.exit(0)} hands over to Jetty's ShutdownThread, which stops the server gracefully
 * within the grace period. The exit status is 0 because the stop was asked for.
 */
public final class DrainOnTerminate
{
    private static final Logger log = LoggerFactory.getLogger(DrainOnTerminate.class);

    private DrainOnTerminate() {}

    public static void install(ShutdownState shutdown, Duration drainWindow, Clock clock, Server server)
    {
        requireNonNull(shutdown, "shutdown is null");
        requireNonNull(drainWindow, "drainWindow is null");
        requireNonNull(server, "server is null");
        Signal.handle(new Signal("TERM"), signal -> {
            if (shutdown.isDraining()) {
                return;
            }
            shutdown.startDraining(clock.instant());
            log.info("SIGTERM: draining for {} s, then stopping", drainWindow.toSeconds());
            Thread stopper = new Thread(() -> {
                try {
                    Thread.sleep(drainWindow.toMillis());
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                log.info("drain window over: closing listeners, finishing in-flight requests");
                // Close the sockets first: Jetty's own stop marks the context unavailable before the
                // listeners close, and a connection accepted in between would get a 503.
                for (Connector connector : server.getConnectors()) {
                    if (connector instanceof NetworkConnector listener) {
                        listener.close();
                    }
                }
                System.exit(0);
            }, "drain");
            stopper.setDaemon(false);
            stopper.start();
        });
    }
}
