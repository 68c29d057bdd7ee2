package io.depot.core;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/** The keyset position after which the next page starts: (createdAt, id) of the last item seen. */
public record Cursor(Instant createdAt, UUID id)
{
    // Creation times PostgreSQL can hold; anything else would reach it as a value it refuses (a 5xx).
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    public Cursor
    {
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(id, "id is null");
    }

    public String encode()
    {
        long micros = createdAt.getEpochSecond() * 1_000_000L + createdAt.getNano() / 1_000;
        String plain = micros + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
    }

    public static Cursor decode(String encoded)
    {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.US_ASCII);
            int separator = plain.indexOf(':');
            long micros = Long.parseLong(plain.substring(0, separator));
            UUID id = UUID.fromString(plain.substring(separator + 1));
            Instant createdAt = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
            if (createdAt.isBefore(EARLIEST) || createdAt.isAfter(LATEST)) {
                throw new IllegalArgumentException("outside the range of a creation time");
            }
            return new Cursor(createdAt, id);
        }
        catch (RuntimeException e) {
            throw new InvalidInputException("cursor is not one this API returned");
        }
    }
}
