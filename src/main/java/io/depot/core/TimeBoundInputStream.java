package io.depot.core;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

import static java.util.Objects.requireNonNull;

/**
 * An upload body that fails once it has been read for longer than its time bound. S3 dates a
 * multipart object from when its upload began, so an upload that may last no longer than half
 * the reconciler's orphan age can never look old enough to be an orphan before its row exists.
 * It also fails with {@link CutByStopException} once the stopping instance cuts the uploads in flight.
 */
final class TimeBoundInputStream
        extends FilterInputStream
{
    private final Clock clock;
    private final Instant deadline;
    private final Duration bound;
    private final BooleanSupplier cut;

    TimeBoundInputStream(InputStream in, Clock clock, Duration bound, BooleanSupplier cut)
    {
        super(requireNonNull(in, "in is null"));
        this.clock = requireNonNull(clock, "clock is null");
        this.bound = requireNonNull(bound, "bound is null");
        this.deadline = clock.instant().plus(bound);
        this.cut = requireNonNull(cut, "cut is null");
    }

    @Override
    public int read()
            throws IOException
    {
        checkDeadline();
        return super.read();
    }

    @Override
    public int read(byte[] buffer, int offset, int length)
            throws IOException
    {
        checkDeadline();
        return super.read(buffer, offset, length);
    }

    private void checkDeadline()
            throws IOException
    {
        if (cut.getAsBoolean()) {
            throw new CutByStopException();
        }
        if (clock.instant().isAfter(deadline)) {
            throw new IOException("an upload may take at most " + bound.toMinutes() + " min; send it faster or use a direct upload (POST /api/v1/uploads)");
        }
    }

    /** The instance is stopping and its upload finish window has passed. */
    static final class CutByStopException
            extends IOException
    {
        CutByStopException()
        {
            super("the instance is stopping");
        }
    }
}
