package io.depot;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The domain and the gateways below it stay free of HTTP, and the domain free of the AWS SDK:
 * HTTP belongs to resources/, auth/ and admin/, the SDK to storage/. Checked on the sources,
 * so a fully-qualified name in the code counts as much as an import.
 */
class LayeringTest
{
    private static final Path SOURCES = Path.of("src/main/java/io/depot");
    private static final List<String> HTTP = List.of("jakarta.ws.rs", "jakarta.servlet", "io.dropwizard.jersey");
    private static final Map<String, List<String>> FORBIDDEN = Map.of(
            "core", concat(HTTP, List.of("software.amazon")),
            "db", HTTP,
            "storage", HTTP,
            "cache", HTTP);

    @Test
    void noLayerUsesWhatIsForbiddenToIt()
    {
        List<String> violations = new ArrayList<>();
        FORBIDDEN.forEach((layer, prefixes) -> {
            Path directory = SOURCES.resolve(layer);
            assertThat(directory).as("layer %s exists", layer).isDirectory();
            try (Stream<Path> files = Files.walk(directory)) {
                files.filter(file -> file.toString().endsWith(".java"))
                        .forEach(file -> violations.addAll(violations(file.toString(), read(file), prefixes)));
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(violations).isEmpty();
    }

    @Test
    void anImportOrAFullyQualifiedNameIsCaught()
    {
        List<String> http = FORBIDDEN.get("core");
        assertThat(violations("Bad.java", "package io.depot.core;\nimport jakarta.ws.rs.core.Response;\n", http)).hasSize(1);
        assertThat(violations("Bad.java", "class Bad { software.amazon.awssdk.core.exception.SdkException e; }", http)).hasSize(1);
        assertThat(violations("Bad.java", "import static jakarta.servlet.http.HttpServletResponse.SC_OK;", http)).hasSize(1);
        // Prose is not code: a comment may name what the layer must not use.
        assertThat(violations("Good.java", "// nothing from jakarta.ws.rs here\n/* nor software.amazon */\nclass Good {}", http)).isEmpty();
    }

    private static List<String> violations(String file, String source, List<String> prefixes)
    {
        String code = source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
        List<String> found = new ArrayList<>();
        for (String prefix : prefixes) {
            if (Pattern.compile("\\b" + Pattern.quote(prefix) + "\\.").matcher(code).find()) {
                found.add(file + " uses " + prefix);
            }
        }
        return found;
    }

    private static String read(Path file)
    {
        try {
            return Files.readString(file);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> concat(List<String> first, List<String> second)
    {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }
}
