package io.depot.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The one polling loop of the tests: for what a server reaches asynchronously (readiness, a log line, a background pass). */
public final class Wait
{
    private static final Duration POLL = Duration.ofMillis(50);

    private Wait() {}

    public static void until(String what, Duration timeout, BooleanSupplier condition)
    {
        until(what, timeout, condition, () -> "");
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> context)
    {
        forValue(what, timeout, () -> condition.getAsBoolean() ? Optional.of(true) : Optional.empty(), context);
    }

    /**
     * Polls {@code probe} until it yields a value and returns it; after {@code timeout} fails naming
     * {@code what}, followed by {@code context} (e.g. the tail of a log). A probe may throw to give up early.
     */
    public static <T> T forValue(String what, Duration timeout, Supplier<Optional<T>> probe, Supplier<String> context)
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() > deadline) {
                String detail = context.get();
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + (detail.isEmpty() ? "" : ":\n" + detail));
            }
            sleep(POLL);
        }
    }

    public static void sleep(Duration duration)
    {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
