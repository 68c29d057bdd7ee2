package io.depot.lifecycle;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.IntSupplier;

import static java.util.Objects.requireNonNull;

/**
 * SIGTERM starts a drain instead of an immediate stop: /ready turns 503 at once, the
 * application keeps serving for the drain window while the load balancer notices (none when
 * nothing routes here any more: {@link UnroutedTask}), then closes
 * its listeners and lets the uploads still in flight finish (up to the upload finish window: a
 * switch must not cut an upload that outlasts drain and grace; one still running after it is cut
 * with a 503 its client can retry elsewhere, not a reset), and then
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

    /** {@code uploadsInFlight}: how many uploads are being received now; {@code cutUploads} ends them with a 503. */
    public static void install(ShutdownState shutdown, Duration drainWindow, Duration uploadFinishWindow, IntSupplier uploadsInFlight, Runnable cutUploads,
            Server server)
    {
        requireNonNull(shutdown, "shutdown is null");
        requireNonNull(drainWindow, "drainWindow is null");
        requireNonNull(uploadFinishWindow, "uploadFinishWindow is null");
        requireNonNull(uploadsInFlight, "uploadsInFlight is null");
        requireNonNull(cutUploads, "cutUploads is null");
        requireNonNull(server, "server is null");
        Signal.handle(new Signal("TERM"), signal -> {
            if (!shutdown.startDraining()) {
                return;
            }
            if (shutdown.isUnrouted()) {
                log.info("SIGTERM: nothing routes here, no drain window; stopping");
            }
            else {
                log.info("SIGTERM: draining for {} s, then stopping", drainWindow.toSeconds());
            }
            Thread stopper = new Thread(() -> {
                if (awaitDrainWindow(shutdown, drainWindow)) {
                    log.info("nothing routes here: drain window skipped; closing listeners, finishing in-flight requests");
                }
                else {
                    log.info("drain window over: closing listeners, finishing in-flight requests");
                }
                // Close the sockets first: Jetty's own stop turns new requests into 503s at once, so a
                // connection accepted just before must get its request in before that stop begins.
                for (Connector connector : server.getConnectors()) {
                    if (connector instanceof NetworkConnector listener) {
                        listener.close();
                    }
                }
                awaitQuietConnections(server);
                awaitUploads(uploadsInFlight, uploadFinishWindow, cutUploads);
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

    /**
     * Uploads take longer than the grace period allows a request; nothing new can start, so this
     * only waits for them to end. Those still running at the bound are cut: each answers 503 within
     * the grace period that follows, rather than losing its connection when the server stops.
     */
    private static void awaitUploads(IntSupplier uploadsInFlight, Duration bound, Runnable cutUploads)
    {
        int uploads = uploadsInFlight.getAsInt();
        if (uploads == 0) {
            return;
        }
        log.info("{} upload(s) in flight: waiting up to {} s for them to finish", uploads, bound.toSeconds());
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline && uploadsInFlight.getAsInt() > 0) {
            sleep(100);
        }
        int left = uploadsInFlight.getAsInt();
        if (left > 0) {
            log.info("{} upload(s) still in flight after {} s: cutting them (503, Retry-After)", left, bound.toSeconds());
            cutUploads.run();
        }
    }

    private static boolean awaitDrainWindow(ShutdownState shutdown, Duration drainWindow)
    {
        try {
            return shutdown.awaitDrainWindow(drainWindow);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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
