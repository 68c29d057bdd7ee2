package io.depot.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** lifecycle.env, the one file that holds Depot's timings: the tests take their bounds from it, never a copy. */
final class LifecycleEnv
{
    private final Map<String, String> values;

    private LifecycleEnv(Map<String, String> values)
    {
        this.values = values;
    }

    static LifecycleEnv read(Path repository)
    {
        Map<String, String> values = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(repository.resolve("lifecycle.env"))) {
                String trimmed = line.strip();
                int equals = trimmed.indexOf('=');
                if (!trimmed.startsWith("#") && equals > 0) {
                    values.put(trimmed.substring(0, equals), trimmed.substring(equals + 1));
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LifecycleEnv(Map.copyOf(values));
    }

    Duration seconds(String key)
    {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalStateException("lifecycle.env has no " + key);
        }
        return Duration.ofSeconds(Long.parseLong(value));
    }
}
