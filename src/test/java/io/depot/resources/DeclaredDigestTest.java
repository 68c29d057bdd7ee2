package io.depot.resources;

import io.depot.core.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeclaredDigestTest
{
    private static final byte[] HELLO = digest("hello");
    private static final String HELLO_HEX = HexFormat.of().formatHex(HELLO);
    private static final String HELLO_BASE64 = Base64.getEncoder().encodeToString(HELLO);

    @Test
    void readsTheSha256MemberOfContentDigest()
    {
        assertThat(contentDigest("sha-256=:" + HELLO_BASE64 + ":")).hasValue(HELLO_HEX);
        // Other algorithms, parameters, whitespace and several lines are allowed around it.
        String sha512 = Base64.getEncoder().encodeToString(new byte[64]);
        assertThat(contentDigest("sha-512=:" + sha512 + ":,  sha-256=:" + HELLO_BASE64 + ":;note=\"a, b\"")).hasValue(HELLO_HEX);
        assertThat(DeclaredDigest.sha256(List.of("sha-512=:" + sha512 + ":", "sha-256=:" + HELLO_BASE64 + ":"), List.of())).hasValue(HELLO_HEX);
        // Unpadded base64 is accepted, as RFC 8941 asks of parsers.
        assertThat(contentDigest("sha-256=:" + HELLO_BASE64.replace("=", "") + ":")).hasValue(HELLO_HEX);
    }

    @Test
    void ignoresOtherAlgorithmsAndAbsentHeaders()
    {
        assertThat(contentDigest("sha-512=:" + Base64.getEncoder().encodeToString(new byte[64]) + ":")).isEmpty();
        assertThat(contentDigest("unixsum=30637, md5=(1 2 \"x\");a=?1, flag")).isEmpty();
        assertThat(contentDigest(" ")).isEmpty();
        assertThat(DeclaredDigest.sha256(null, null)).isEmpty();
        assertThat(DeclaredDigest.sha256(List.of(), List.of())).isEmpty();
    }

    @Test
    void readsTheS3ChecksumHeaderAndRequiresBothToAgree()
    {
        assertThat(DeclaredDigest.sha256(List.of(), List.of(HELLO_BASE64))).hasValue(HELLO_HEX);
        assertThat(DeclaredDigest.sha256(List.of("sha-256=:" + HELLO_BASE64 + ":"), List.of(HELLO_BASE64))).hasValue(HELLO_HEX);
        String other = Base64.getEncoder().encodeToString(digest("other"));
        assertThatThrownBy(() -> DeclaredDigest.sha256(List.of("sha-256=:" + HELLO_BASE64 + ":"), List.of(other)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("declare different SHA-256 digests");
        assertThatThrownBy(() -> DeclaredDigest.sha256(List.of(), List.of("not base64!"))).hasMessageContaining("base64 of the body's 32-byte SHA-256");
        assertThatThrownBy(() -> DeclaredDigest.sha256(List.of(), List.of("AAAA"))).hasMessageContaining("SHA-256 of 3 bytes");
    }

    @Test
    void refusesMalformedFields()
    {
        for (String malformed : List.of("sha-256", "sha-256=" + HELLO_BASE64, "sha-256=:" + HELLO_BASE64, "sha-256=:***:", "SHA-256=:" + HELLO_BASE64 + ":",
                "sha-256=:" + HELLO_BASE64 + ":,", "sha-256=:" + HELLO_BASE64 + ": x", "**=", "a=\"unterminated", "a=(1 2", "a=?2", "a=1.23456", "=x", "a=\u00e9")) {
            assertThatThrownBy(() -> contentDigest(malformed)).as(malformed)
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("Content-Digest");
        }
        assertThatThrownBy(() -> contentDigest("sha-256=:AAAA:")).hasMessageContaining("SHA-256 of 3 bytes");
    }

    private static java.util.Optional<String> contentDigest(String field)
    {
        return DeclaredDigest.sha256(List.of(field), List.of());
    }

    private static byte[] digest(String text)
    {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
