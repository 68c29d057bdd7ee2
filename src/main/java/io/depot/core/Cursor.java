package io.depot.core;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/** The keyset position after which the next page starts: (createdAt, id) of the last item seen. */
public record Cursor(Instant createdAt, UUID id)
{
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
            return new Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L), id);
        }
        catch (RuntimeException e) {
            throw new InvalidInputException("cursor is not one this API returned");
        }
    }
}
