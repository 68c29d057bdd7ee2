package io.depot.core;

import com.codahale.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UploadCapacityTest
{
    @Test
    void theBudgetIsWholeBuffersAndReturnedBuffersAreReused()
    {
        UploadCapacity capacity = new UploadCapacity(2_500, 1_000, Duration.ofMillis(50), 10, new MetricRegistry());
        UploadCapacity.Buffer first = capacity.buffer();
        UploadCapacity.Buffer second = capacity.buffer();
        assertThat(first.bytes()).hasSize(1_000);
        long started = System.nanoTime();
        assertThatThrownBy(capacity::buffer).isInstanceOf(OverloadedException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(50));

        byte[] bytes = first.bytes();
        first.close();
        first.close();
        try (UploadCapacity.Buffer third = capacity.buffer()) {
            assertThat(third.bytes()).isSameAs(bytes);
            assertThatThrownBy(capacity::buffer).as("a second close gave nothing back").isInstanceOf(OverloadedException.class);
        }
        assertThatThrownBy(first::bytes).isInstanceOf(IllegalStateException.class);
        second.close();
    }

    @Test
    void eachTenantHasItsOwnCap()
    {
        UploadCapacity capacity = new UploadCapacity(1_000, 1_000, Duration.ZERO, 2, new MetricRegistry());
        UploadCapacity.Admission one = capacity.admit("acme");
        UploadCapacity.Admission two = capacity.admit("acme");
        assertThatThrownBy(() -> capacity.admit("acme")).isInstanceOf(TooManyRequestsException.class).hasMessageContaining("2 uploads in flight");
        capacity.admit("globex").close();
        one.close();
        one.close();
        capacity.admit("acme").close();
        two.close();
    }

    @Test
    void aBudgetSmallerThanOneBufferIsAConfigurationError()
    {
        assertThatThrownBy(() -> new UploadCapacity(999, 1_000, Duration.ZERO, 1, new MetricRegistry()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one part buffer");
    }
}
