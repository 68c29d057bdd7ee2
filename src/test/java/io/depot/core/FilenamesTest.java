package io.depot.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilenamesTest
{
    @Test
    void acceptsOrdinaryAndUnicodeNames()
    {
        assertThat(Filenames.validate("report 2026.pdf")).isEqualTo("report 2026.pdf");
        assertThat(Filenames.validate("été 🌞.jpg")).isEqualTo("été 🌞.jpg");
        assertThat(Filenames.validate("a".repeat(255))).hasSize(255);
        assertThat(Filenames.validate(" padded ")).isEqualTo(" padded ");
    }

    @Test
    void rejectsWithPreciseMessages()
    {
        assertRejected(null, "filename is required");
        assertRejected("", "filename is required");
        // Blank names show as nothing in a download folder; the OpenAPI document's validators read them as missing.
        assertRejected(" ", "a character other than spaces");
        assertRejected("\u00A0\u3000\t", "a character other than spaces");
        assertRejected("../etc/passwd", "path separator");
        assertRejected("a\\b", "path separator");
        assertRejected("invoice\u202Efdp.exe", "invisible or direction-changing characters (found U+202E at position 7)");
        // A tag character (U+E003A), invisible and outside the BMP: "ASCII smuggling" in a name.
        assertRejected("report\uDB40\uDC3A.pdf", "invisible or direction-changing characters (found U+E003A at position 6)");
        assertRejected("zero\u200Bwidth.txt", "found U+200B");
        assertRejected("isolate\u2066.txt", "found U+2066");
        assertRejected("bom\uFEFF.txt", "found U+FEFF");
        assertRejected("..", "may not be '.' or '..'");
        assertRejected("bell\u0007", "control characters (found U+0007 at position 4)");
        assertRejected("new\nline", "control characters");
        assertRejected("a".repeat(256), "longer than 255 bytes");
        // 128 two-byte characters: 128 characters but 256 bytes.
        assertRejected("é".repeat(128), "longer than 255 bytes");
        assertRejected("broken\uD800", "not valid Unicode");
    }

    private static void assertRejected(String filename, String message)
    {
        assertThatThrownBy(() -> Filenames.validate(filename))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(message);
    }
}
