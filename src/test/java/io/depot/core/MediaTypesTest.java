package io.depot.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MediaTypesTest
{
    @Test
    void servesTypesABrowserWouldRunAsBytes()
    {
        for (String active : new String[] {"text/html", "text/html; charset=utf-8", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml",
                "application/atom+xml", "text/javascript", "TEXT/HTML"}) {
            assertThat(MediaTypes.forDownload(active)).as(active).isEqualTo("application/octet-stream");
        }
        for (String passive : new String[] {"image/png", "text/plain; charset=utf-8", "application/pdf", "video/mp4", "application/json"}) {
            assertThat(MediaTypes.forDownload(passive)).as(passive).isEqualTo(passive);
        }
    }

    @Test
    void keepsValidMediaTypes()
    {
        assertThat(MediaTypes.forStoredFile("image/png")).isEqualTo("image/png");
        assertThat(MediaTypes.forStoredFile("text/plain; charset=utf-8")).isEqualTo("text/plain; charset=utf-8");
        assertThat(MediaTypes.forStoredFile("application/vnd.ms-excel")).isEqualTo("application/vnd.ms-excel");
    }

    @Test
    void theCanonicalFormIsLowerCaseWithoutSpaces()
    {
        assertThat(MediaTypes.canonical("image/png")).isEqualTo("image/png");
        assertThat(MediaTypes.canonical("Text/Plain; Charset=UTF-8")).isEqualTo("text/plain;charset=UTF-8");
        assertThat(MediaTypes.canonical("text/plain ;charset=ISO-8859-1 ; format=Flowed ")).isEqualTo("text/plain;charset=ISO-8859-1;format=Flowed");
        assertThat(MediaTypes.canonical("application/x-thing; version=\"1.0\"")).isEqualTo("application/x-thing;version=\"1.0\"");
    }

    @Test
    void rejectsMissingMalformedAndFormTypes()
    {
        assertThatThrownBy(() -> MediaTypes.forStoredFile(null)).hasMessageContaining("Content-Type is required");
        assertThatThrownBy(() -> MediaTypes.forStoredFile("png")).hasMessageContaining("is not a valid media type");
        assertThatThrownBy(() -> MediaTypes.forStoredFile("text/plain\r\nX-Evil: 1")).hasMessageContaining("is not a valid media type");
        // A value of spaces alone: found by the content type property, it had no canonical form to sign.
        assertThatThrownBy(() -> MediaTypes.forStoredFile("a/a;charset=3L ; charset= ; charset=!")).hasMessageContaining("is not a valid media type");
        assertThatThrownBy(() -> MediaTypes.forStoredFile("multipart/form-data; boundary=x")).hasMessageContaining("multipart/form-data is not accepted");
        assertThatThrownBy(() -> MediaTypes.forStoredFile("application/x-www-form-urlencoded")).hasMessageContaining("is not accepted");
        assertThat(MediaTypes.forStoredFile("a/b")).isEqualTo("a/b");
    }
}
