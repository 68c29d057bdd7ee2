package io.depot.core;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static io.depot.testing.ClientInput.anyText;
import static io.depot.testing.ClientInput.mutate;
import static io.depot.testing.ClientInput.refusedOrAccepted;
import static io.depot.testing.ClientInput.textOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

/**
 * The parsers of what a client sends (cursor, id, filename, Content-Type), over generated input:
 * each returns a value or refuses with the one exception its 4xx comes from, never anything else.
 */
class ClientInputPropertiesTest
{
    // The creation times PostgreSQL's timestamptz holds that Cursor accepts, in microseconds since the epoch.
    private static final long EARLIEST_MICROS = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond() * 1_000_000L;
    private static final long LATEST_MICROS = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond() * 1_000_000L + 999_999L;

    @Test
    void everyCursorRoundTrips()
    {
        qt().forAll(storableMicros(), uuids()).checkAssert((micros, id) -> {
            Cursor cursor = new Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L), id);
            String encoded = cursor.encode();
            assertThat(encoded).matches("[A-Za-z0-9_-]+");
            assertThat(Cursor.decode(encoded)).isEqualTo(cursor);
        });
    }

    @Test
    void aCursorTimeOutsideWhatPostgresHoldsIs400()
    {
        qt().forAll(unstorableMicros(), uuids()).checkAssert((micros, id) ->
                assertThat(refusedOrAccepted(() -> Cursor.decode(base64Url(micros + ":" + id)), InvalidInputException.class, 400)).isEmpty());
    }

    @Test
    void anyCursorTextIsACursorInRangeOr400()
    {
        qt().forAll(cursorTexts()).checkAssert(text -> refusedOrAccepted(() -> Cursor.decode(text), InvalidInputException.class, 400)
                .ifPresent(cursor -> assertThat(micros(cursor.createdAt())).isBetween(EARLIEST_MICROS, LATEST_MICROS)));
    }

    @Test
    void anIdIsACanonicalUuidOr400()
    {
        qt().forAll(idTexts()).checkAssert(text -> refusedOrAccepted(() -> Uuids.parse(text, "id"), InvalidInputException.class, 400)
                .ifPresent(id -> assertThat(id.toString()).isEqualToIgnoringCase(text)));
    }

    @Test
    void everyUuidParsesInEitherCase()
    {
        qt().forAll(uuids()).checkAssert(id -> {
            assertThat(Uuids.parse(id.toString(), "id")).isEqualTo(id);
            assertThat(Uuids.parse(id.toString().toUpperCase(Locale.ROOT), "id")).isEqualTo(id);
        });
    }

    @Test
    void aFilenameIsKeptExactlyOr400AndItsAttachmentHeaderIsSafe()
    {
        qt().forAll(filenames()).checkAssert(filename -> refusedOrAccepted(() -> Filenames.validate(filename), InvalidInputException.class, 400).ifPresent(valid -> {
            assertThat(valid).isEqualTo(filename);
            assertThat(valid.getBytes(StandardCharsets.UTF_8).length).isBetween(1, Filenames.MAX_BYTES);
            assertThat(valid.codePoints()).noneMatch(codePoint -> codePoint == '/' || codePoint == '\\' || Character.isISOControl(codePoint)
                    || Character.getType(codePoint) == Character.FORMAT);
            // What reaches a response header: printable ASCII, one quoted fallback, nothing to break out of it.
            assertThat(ContentDisposition.attachment(valid)).matches("attachment; filename=\"[ !#-\\[\\]-~&&[^%]]*\"; filename\\*=UTF-8''[A-Za-z0-9!#$&+.^_`|~%-]+");
        }));
    }

    @Test
    void aContentTypeIsStoredAsSentOr415()
    {
        qt().forAll(contentTypeTexts()).checkAssert(contentType ->
                refusedOrAccepted(() -> MediaTypes.forStoredFile(contentType), UnsupportedContentTypeException.class, 415).ifPresent(stored -> {
                    assertThat(stored).isEqualTo(contentType.trim());
                    String canonical = MediaTypes.canonical(stored);
                    assertThat(MediaTypes.canonical(canonical)).as("canonical twice").isEqualTo(canonical);
                    assertThat(MediaTypes.forStoredFile(canonical)).as("the canonical form is valid too").isEqualTo(canonical);
                    assertThat(MediaTypes.forDownload(stored)).isIn(stored, MediaTypes.OCTET_STREAM);
                }));
    }

    @Test
    void everySpellingOfATypeHasOneCanonicalForm()
    {
        qt().forAll(spelledTypes()).checkAssert(type -> {
            assertThat(MediaTypes.forStoredFile(type.text())).isEqualTo(type.text().trim());
            assertThat(MediaTypes.canonical(type.text().trim())).isEqualTo(type.canonical());
        });
    }

    /** A media type as a client may spell it (any case, spaces around ";"), and the one form S3 is sent. */
    record SpelledType(String text, String canonical) {}

    private static Gen<Long> storableMicros()
    {
        return Generate.oneOf(longs().between(EARLIEST_MICROS, LATEST_MICROS), Generate.pick(List.of(EARLIEST_MICROS, LATEST_MICROS, 0L, -1L)));
    }

    private static Gen<Long> unstorableMicros()
    {
        return Generate.oneOf(longs().between(Long.MIN_VALUE, EARLIEST_MICROS - 1), longs().between(LATEST_MICROS + 1, Long.MAX_VALUE),
                Generate.pick(List.of(EARLIEST_MICROS - 1, LATEST_MICROS + 1, Long.MIN_VALUE, Long.MAX_VALUE)));
    }

    private static Gen<UUID> uuids()
    {
        return longs().all().zip(longs().all(), UUID::new);
    }

    private static Gen<String> cursorTexts()
    {
        Gen<String> plain = longs().all().zip(uuids(), anyText(), (micros, id, noise) -> micros + ":" + id + noise);
        Gen<String> mangled = longs().all().zip(anyText(), Generate.pick(List.of(":", "", "::")), (micros, rest, separator) -> micros + separator + rest);
        return Generate.oneOf(anyText(), plain.map(ClientInputPropertiesTest::base64Url), mangled.map(ClientInputPropertiesTest::base64Url),
                anyText().map(ClientInputPropertiesTest::base64Url), plain.map(text -> Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))));
    }

    private static Gen<String> idTexts()
    {
        return Generate.oneOf(anyText(), uuids().map(id -> mutate(id.toString())), textOf("0123456789abcdefABCDEF-", 0, 40), uuids().map(UUID::toString));
    }

    private static Gen<String> filenames()
    {
        Gen<String> hostile = textOf("abcxyz\u00e0\u00e9\u00ff\u4e00\u4e01/\\.\"%;\r\n\t\u0000\u007f\u0085\u200b\u200e\u200f\u202a\u202e\u2028\u2029\u2066\u2069\ufeff\ud83d\ude00",
                0, 100);
        Gen<String> loneSurrogates = textOf("\ud800\udbff\udc00\udfffabc", 1, 6);
        return Generate.oneOf(anyText(), hostile, loneSurrogates, strings().basicLatinAlphabet().ofLengthBetween(250, 260), textOf("\u00e9", 120, 135),
                Generate.pick(List.of(".", "..", "...", " ", "")));
    }

    private static Gen<String> contentTypeTexts()
    {
        return Generate.oneOf(anyText(), textOf("abcXYZ09!#$&^_.+-/;= \t\"?*(),<>@[]{}:\\\u00c0\u00c3", 0, 40), spelledTypes().map(SpelledType::text),
                spelledTypes().map(type -> mutate(type.text())),
                Generate.pick(List.of("multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "foo/bar;x=?", "", " ", ";", "a/b;", "/")),
                textOf("abcdefghij", 120, 140).map(name -> "a/" + name + ";" + name + "=" + name));
    }

    private static Gen<SpelledType> spelledTypes()
    {
        Gen<String> name = textOf("abcdefghijklmnopqrstuvwxyz0123456789", 1, 12);
        Gen<String> value = strings().betweenCodePoints('!', '~').ofLengthBetween(1, 12).map(text -> text.replace(';', ','));
        Gen<String[]> parameter = Generate.oneOf(name, Generate.constant("charset")).zip(value, (key, text) -> new String[] {key, text});
        Gen<List<Boolean>> coin = lists().of(booleans().all()).ofSize(40);
        return name.zip(name, lists().of(parameter).ofSizeBetween(0, 3), coin, (type, subtype, parameters, flips) -> {
            StringBuilder text = new StringBuilder(respell(type, flips)).append('/').append(respell(subtype, flips.subList(12, 40)));
            StringBuilder canonical = new StringBuilder(type).append('/').append(subtype);
            for (String[] each : parameters) {
                text.append(flips.get(each[1].length()) ? " ; " : ";").append(respell(each[0], flips.subList(20, 40))).append('=').append(each[1]);
                canonical.append(';').append(each[0]).append('=').append(each[0].equals("charset") ? each[1].toUpperCase(Locale.ROOT) : each[1]);
            }
            return new SpelledType((flips.get(39) ? " " : "") + text, canonical.toString());
        });
    }

    // Upper-cases the characters whose flip is true.
    private static String respell(String lower, List<Boolean> flips)
    {
        StringBuilder respelled = new StringBuilder();
        for (int index = 0; index < lower.length(); index++) {
            char character = lower.charAt(index);
            respelled.append(flips.get(index % flips.size()) ? Character.toUpperCase(character) : character);
        }
        return respelled.toString();
    }

    private static String base64Url(String text)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static long micros(Instant instant)
    {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }
}
