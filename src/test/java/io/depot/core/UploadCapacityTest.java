package io.depot.core;

import com.codahale.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UploadCapacityTest
{
    @Test
    void theBudgetIsWholeBuffersAndReturnedBuffersAreReused()
    {
        UploadCapacity capacity = new UploadCapacity(2_500, 1_000, 1, Duration.ofMillis(50), 10, new MetricRegistry());
        UploadCapacity.Buffers first = capacity.buffers(OptionalLong.empty());
        UploadCapacity.Buffers second = capacity.buffers(OptionalLong.empty());
        assertThat(first.first()).hasSize(1_000);
        assertThat(first.spare()).as("one buffer per upload here").isNull();
        long started = System.nanoTime();
        assertThatThrownBy(() -> capacity.buffers(OptionalLong.empty())).isInstanceOf(OverloadedException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(50));

        byte[] bytes = first.first();
        first.close();
        first.close();
        try (UploadCapacity.Buffers third = capacity.buffers(OptionalLong.empty())) {
            assertThat(third.first()).isSameAs(bytes);
            assertThatThrownBy(() -> capacity.buffers(OptionalLong.empty())).as("a second close gave nothing back").isInstanceOf(OverloadedException.class);
        }
        assertThatThrownBy(first::first).isInstanceOf(IllegalStateException.class);
        second.close();
    }

    @Test
    void anUploadTakesSpareBuffersOnlyWhileTheBudgetHasThem()
    {
        UploadCapacity capacity = new UploadCapacity(4_000, 1_000, 3, Duration.ofMillis(50), 10, new MetricRegistry());
        UploadCapacity.Buffers first = capacity.buffers(OptionalLong.empty());
        assertThat(first.spare()).hasSize(1_000);
        assertThat(first.spare()).hasSize(1_000);
        assertThat(first.spare()).as("three per upload at most").isNull();
        try (UploadCapacity.Buffers second = capacity.buffers(OptionalLong.empty())) {
            assertThat(second.spare()).as("the budget is spent: no spare, and no refusal either").isNull();
            assertThatThrownBy(() -> capacity.buffers(OptionalLong.empty())).isInstanceOf(OverloadedException.class);
        }
        first.close();
        try (UploadCapacity.Buffers third = capacity.buffers(OptionalLong.empty()); UploadCapacity.Buffers fourth = capacity.buffers(OptionalLong.empty())) {
            assertThat(third.spare()).isNotNull();
            assertThat(fourth.spare()).isNotNull();
            assertThat(third.spare()).as("all four buffers are out").isNull();
        }
        assertThat(capacity.buffers(OptionalLong.empty()).spare()).as("spares came back with their uploads").isNotNull();
    }

    @Test
    void aBodySmallerThanAPartGetsABufferOfItsOwnSizeCountedAsAPart()
    {
        UploadCapacity capacity = new UploadCapacity(2_000, 1_000, 1, Duration.ZERO, 10, new MetricRegistry());
        UploadCapacity.Buffers large = capacity.buffers(OptionalLong.of(1_000));
        byte[] part = large.first();
        assertThat(part).hasSize(1_000);
        large.close();
        try (UploadCapacity.Buffers small = capacity.buffers(OptionalLong.of(10))) {
            assertThat(small.first()).as("the body and the byte that shows it ended").hasSize(11);
            try (UploadCapacity.Buffers empty = capacity.buffers(OptionalLong.of(0))) {
                assertThat(empty.first()).hasSize(1);
                assertThatThrownBy(() -> capacity.buffers(OptionalLong.of(10))).as("each counts as a part against the budget")
                        .isInstanceOf(OverloadedException.class);
            }
        }
        try (UploadCapacity.Buffers unknown = capacity.buffers(OptionalLong.empty())) {
            assertThat(unknown.first()).as("the pooled part buffer, not a small body's").isSameAs(part);
        }
    }

    @Test
    void eachTenantHasItsOwnCap()
    {
        UploadCapacity capacity = new UploadCapacity(1_000, 1_000, 1, Duration.ZERO, 2, new MetricRegistry());
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
        assertThatThrownBy(() -> new UploadCapacity(999, 1_000, 1, Duration.ZERO, 1, new MetricRegistry()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one part buffer");
    }
}
