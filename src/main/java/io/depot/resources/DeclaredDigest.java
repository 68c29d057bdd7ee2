package io.depot.resources;

import io.depot.core.InvalidInputException;

import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The SHA-256 a client declares for a request body, from {@code Content-Digest} (RFC 9530: a
 * structured-field dictionary such as {@code sha-256=:base64:}) or S3's {@code
 * x-amz-checksum-sha256} (base64). Other algorithms are ignored, as RFC 9530 allows; a header
 * that cannot be parsed is refused, never silently left unchecked.
 */
public final class DeclaredDigest
{
    public static final String CONTENT_DIGEST = "Content-Digest";
    public static final String AMZ_CHECKSUM_SHA256 = "x-amz-checksum-sha256";

    private static final String ALGORITHM = "sha-256";
    private static final int SHA256_BYTES = 32;

    private DeclaredDigest() {}

    /** The declared SHA-256 as lower-case hex; empty when the client declares none. Each argument holds every line of its header. */
    public static Optional<String> sha256(List<String> contentDigest, List<String> amzChecksum)
    {
        Optional<String> fromContentDigest = nonEmpty(contentDigest).flatMap(DeclaredDigest::fromContentDigest);
        Optional<String> fromAmzChecksum = nonEmpty(amzChecksum).map(DeclaredDigest::fromAmzChecksum);
        if (fromContentDigest.isPresent() && fromAmzChecksum.isPresent() && !fromContentDigest.equals(fromAmzChecksum)) {
            throw new InvalidInputException(CONTENT_DIGEST + " and " + AMZ_CHECKSUM_SHA256 + " declare different SHA-256 digests");
        }
        return fromContentDigest.or(() -> fromAmzChecksum);
    }

    // A field sent on several lines is one comma-separated list (RFC 9110 §5.3).
    private static Optional<String> nonEmpty(List<String> lines)
    {
        return lines == null || lines.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", lines));
    }

    private static Optional<String> fromContentDigest(String field)
    {
        Dictionary dictionary = new Dictionary(field);
        try {
            return dictionary.parse();
        }
        catch (IllegalArgumentException e) {
            throw new InvalidInputException(CONTENT_DIGEST + " is not a valid RFC 9530 field (" + e.getMessage()
                    + "); send e.g. " + CONTENT_DIGEST + ": sha-256=:<base64 of the body's SHA-256>:");
        }
    }

    private static String fromAmzChecksum(String value)
    {
        try {
            return hex(Base64.getDecoder().decode(value.trim()), AMZ_CHECKSUM_SHA256);
        }
        catch (IllegalArgumentException e) {
            throw new InvalidInputException(AMZ_CHECKSUM_SHA256 + " must be the base64 of the body's 32-byte SHA-256");
        }
    }

    private static String hex(byte[] digest, String header)
    {
        if (digest.length != SHA256_BYTES) {
            throw new InvalidInputException(header + " declares a SHA-256 of " + digest.length + " bytes; a SHA-256 has " + SHA256_BYTES);
        }
        return HexFormat.of().formatHex(digest);
    }

    /**
     * An RFC 8941 dictionary parser, reduced to what finding one member needs: every member is
     * parsed (so a malformed field is refused), only {@code sha-256}'s value is kept.
     */
    private static final class Dictionary
    {
        private final String input;
        private int position;

        Dictionary(String input)
        {
            this.input = input;
        }

        Optional<String> parse()
        {
            Optional<String> sha256 = Optional.empty();
            skipSpaces();
            while (position < input.length()) {
                String key = key();
                byte[] value = null;
                if (peek() == '=') {
                    position++;
                    value = peek() == '(' ? innerList() : item();
                }
                else {
                    parameters();
                }
                if (key.equals(ALGORITHM)) {
                    if (value == null) {
                        throw new IllegalArgumentException("the sha-256 member must be a byte sequence :...:");
                    }
                    sha256 = Optional.of(hex(value, CONTENT_DIGEST));
                }
                skipWhitespace();
                if (position == input.length()) {
                    return sha256;
                }
                expect(',');
                skipWhitespace();
                if (position == input.length()) {
                    throw new IllegalArgumentException("a trailing comma");
                }
            }
            // An empty field is an empty dictionary (RFC 8941 §4.2.2): nothing declared.
            return sha256;
        }

        private String key()
        {
            int start = position;
            char first = peek();
            if (!(first >= 'a' && first <= 'z') && first != '*') {
                throw new IllegalArgumentException("a key must start with a lower-case letter or '*'");
            }
            position++;
            while (position < input.length() && isKeyCharacter(input.charAt(position))) {
                position++;
            }
            return input.substring(start, position);
        }

        private static boolean isKeyCharacter(char character)
        {
            return (character >= 'a' && character <= 'z') || (character >= '0' && character <= '9') || "_-.*".indexOf(character) >= 0;
        }

        /** An item; its value when it is a byte sequence, else null. */
        private byte[] item()
        {
            byte[] value = bareItem();
            parameters();
            return value;
        }

        private byte[] innerList()
        {
            expect('(');
            while (true) {
                skipSpaces();
                if (peek() == ')') {
                    position++;
                    parameters();
                    return null;
                }
                item();
                char next = peek();
                if (next != ' ' && next != ')') {
                    throw new IllegalArgumentException("an inner list's items must be separated by spaces");
                }
            }
        }

        private void parameters()
        {
            while (peek() == ';') {
                position++;
                skipSpaces();
                key();
                if (peek() == '=') {
                    position++;
                    bareItem();
                }
            }
        }

        private byte[] bareItem()
        {
            char first = peek();
            if (first == ':') {
                return byteSequence();
            }
            if (first == '"') {
                string();
            }
            else if (first == '?') {
                position++;
                char value = peek();
                if (value != '0' && value != '1') {
                    throw new IllegalArgumentException("a boolean must be ?0 or ?1");
                }
                position++;
            }
            else if (first == '-' || (first >= '0' && first <= '9')) {
                number();
            }
            else if ((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z') || first == '*') {
                token();
            }
            else {
                throw new IllegalArgumentException("unexpected " + describe(first));
            }
            return null;
        }

        private byte[] byteSequence()
        {
            expect(':');
            int end = input.indexOf(':', position);
            if (end < 0) {
                throw new IllegalArgumentException("a byte sequence without its closing ':'");
            }
            String base64 = input.substring(position, end);
            position = end + 1;
            try {
                return Base64.getDecoder().decode(base64);
            }
            catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a byte sequence that is not base64");
            }
        }

        private void string()
        {
            expect('"');
            while (position < input.length()) {
                char character = input.charAt(position++);
                if (character == '\\') {
                    char escaped = peek();
                    if (escaped != '"' && escaped != '\\') {
                        throw new IllegalArgumentException("a string with an invalid escape");
                    }
                    position++;
                }
                else if (character == '"') {
                    return;
                }
                else if (character < 0x20 || character > 0x7e) {
                    throw new IllegalArgumentException("a string with a non-printable character");
                }
            }
            throw new IllegalArgumentException("a string without its closing quote");
        }

        private void number()
        {
            if (peek() == '-') {
                position++;
            }
            int start = position;
            while (position < input.length() && (Character.isDigit(input.charAt(position)) || input.charAt(position) == '.')) {
                position++;
            }
            String digits = input.substring(start, position);
            if (!digits.matches("\\d{1,15}|\\d{1,12}\\.\\d{1,3}")) {
                throw new IllegalArgumentException("a malformed number");
            }
        }

        private void token()
        {
            position++;
            while (position < input.length() && isTokenCharacter(input.charAt(position))) {
                position++;
            }
        }

        private static boolean isTokenCharacter(char character)
        {
            return character > 0x20 && character < 0x7f && "\"(),;<=>?@[\\]{}".indexOf(character) < 0;
        }

        private void expect(char expected)
        {
            if (peek() != expected) {
                throw new IllegalArgumentException("expected '" + expected + "' but found " + describe(peek()));
            }
            position++;
        }

        private char peek()
        {
            return position < input.length() ? input.charAt(position) : 0;
        }

        private void skipSpaces()
        {
            while (peek() == ' ') {
                position++;
            }
        }

        private void skipWhitespace()
        {
            while (peek() == ' ' || peek() == '\t') {
                position++;
            }
        }

        private String describe(char character)
        {
            return character == 0 ? "the end" : character >= 0x20 && character < 0x7f ? "'" + character + "'" : "a control character";
        }
    }
}
