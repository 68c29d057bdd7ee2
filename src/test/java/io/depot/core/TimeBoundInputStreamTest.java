package io.depot.core;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeBoundInputStreamTest
{
    @Test
    void readsUntilItsBoundThenFails()
            throws IOException
    {
        SteppedClock clock = new SteppedClock();
        TimeBoundInputStream in = new TimeBoundInputStream(new ByteArrayInputStream(new byte[10]), clock, Duration.ofMinutes(30), () -> false);
        assertThat(in.read(new byte[4], 0, 4)).isEqualTo(4);
        clock.now = clock.now.plus(Duration.ofMinutes(30));
        assertThat(in.read()).isZero();
        clock.now = clock.now.plusMillis(1);
        assertThatThrownBy(() -> in.read(new byte[4], 0, 4)).isInstanceOf(IOException.class).hasMessageContaining("at most 30 min");
        assertThatThrownBy(in::read).isInstanceOf(IOException.class);
    }

    @Test
    void failsAtItsNextReadOnceTheStopCutsIt()
            throws IOException
    {
        AtomicBoolean cut = new AtomicBoolean();
        TimeBoundInputStream in = new TimeBoundInputStream(new ByteArrayInputStream(new byte[10]), new SteppedClock(), Duration.ofMinutes(30), cut::get);
        assertThat(in.read(new byte[4], 0, 4)).isEqualTo(4);
        cut.set(true);
        assertThatThrownBy(() -> in.read(new byte[4], 0, 4)).isInstanceOf(TimeBoundInputStream.CutByStopException.class);
        assertThatThrownBy(in::read).isInstanceOf(TimeBoundInputStream.CutByStopException.class);
    }

    private static final class SteppedClock
            extends Clock
    {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone()
        {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone)
        {
            return this;
        }

        @Override
        public Instant instant()
        {
            return now;
        }
    }
}
