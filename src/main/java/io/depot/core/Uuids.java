package io.depot.core;

import java.util.UUID;
import java.util.regex.Pattern;

public final class Uuids
{
    // UUID.fromString accepts odd forms like "1-2-3-4-5"; ids in URLs must be canonical.
    private static final Pattern CANONICAL = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Uuids() {}

    public static UUID parse(String text, String what)
    {
        if (text == null || !CANONICAL.matcher(text).matches()) {
            throw new InvalidInputException(what + " must be a UUID like 123e4567-e89b-42d3-a456-426614174000");
        }
        return UUID.fromString(text);
    }
}
