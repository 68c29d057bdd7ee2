package io.depot.core;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CursorTest
{
    @Test
    void roundTripsToTheMicrosecond()
    {
        Cursor cursor = new Cursor(Instant.parse("2026-11-29T07:11:26.715069Z"), UUID.randomUUID());
        assertThat(Cursor.decode(cursor.encode())).isEqualTo(cursor);
        Cursor beforeEpoch = new Cursor(Instant.parse("1969-12-31T23:59:59.999999Z"), UUID.randomUUID());
        assertThat(Cursor.decode(beforeEpoch.encode())).isEqualTo(beforeEpoch);
    }

    @Test
    void rejectsAnythingElseAsABadRequest()
    {
        // The last two: well-formed, but times PostgreSQL cannot hold (they used to reach it and come back as a 503).
        String tooLate = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString((Long.MAX_VALUE + ":" + UUID.randomUUID()).getBytes());
        String tooEarly = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(("-62135596800000001:" + UUID.randomUUID()).getBytes());
        for (String bad : new String[] {"", "!!!", "bm90LWEtY3Vyc29y", "MTIzOm5vdC1hLXV1aWQ", tooLate, tooEarly}) {
            assertThatThrownBy(() -> Cursor.decode(bad))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("cursor is not one this API returned");
        }
    }
}
