package io.depot.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ContentDispositionTest
{
    @Test
    void asciiNamesStayReadable()
    {
        assertThat(ContentDisposition.attachment("report.pdf")).isEqualTo("attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
    }

    @Test
    void quotesAndNonAsciiCannotBreakTheHeader()
    {
        String header = ContentDisposition.attachment("a\"b; filename=evil.exe é.txt");
        assertThat(header).startsWith("attachment; filename=\"a_b; filename=evil.exe _.txt\"; ");
        assertThat(header).endsWith("filename*=UTF-8''a%22b%3B%20filename%3Devil.exe%20%C3%A9.txt");
        assertThat(header.chars().allMatch(character -> character >= 0x20 && character < 0x7f)).isTrue();
    }
}
