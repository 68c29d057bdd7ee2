package io.depot.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import static java.util.Objects.requireNonNull;

/** Values kept in Redis as JSON; one another release wrote in another shape reads as absent. */
final class RedisJson<T>
{
    private final ObjectMapper json;
    private final Class<T> type;

    RedisJson(ObjectMapper json, Class<T> type)
    {
        this.json = requireNonNull(json, "json is null");
        this.type = requireNonNull(type, "type is null");
    }

    String write(T value)
    {
        try {
            return json.writeValueAsString(value);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(type.getSimpleName() + " always serialises", e);
        }
    }

    /** The value, or null when it cannot be read as {@code T}. */
    T read(String value)
    {
        try {
            return json.readValue(value, type);
        }
        catch (JsonProcessingException e) {
            return null;
        }
    }
}
