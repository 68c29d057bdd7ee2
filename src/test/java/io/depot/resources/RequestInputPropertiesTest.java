package io.depot.resources;

import io.depot.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static io.depot.testing.ClientInput.anyText;
import static io.depot.testing.ClientInput.mutate;
import static io.depot.testing.ClientInput.refusal;
import static io.depot.testing.ClientInput.refusedOrAccepted;
import static io.depot.testing.ClientInput.sometimesAbsent;
import static io.depot.testing.ClientInput.textOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

/**
 * The headers and query values Depot parses itself (Idempotency-Key, Content-Digest and
 * x-amz-checksum-sha256, If-Match and If-None-Match, Accept, limit, Content-Length), over
 * generated input: a value, or the one exception its precise 4xx comes from, never anything else.
 */
class RequestInputPropertiesTest
{
    private static final int DEFAULT_PAGE_SIZE = 50;
    private static final int MAX_PAGE_SIZE = 200;
    private static final long UPLOAD_LIMIT = 1_000_000;

    @Test
    void anIdempotencyKeyIsOneTo255PrintableAsciiCharactersOr400()
    {
        qt().forAll(headerTexts()).checkAssert(key -> {
            boolean wellFormed = key.length() >= 1 && key.length() <= 255 && key.chars().allMatch(character -> character > 0x20 && character < 0x7f);
            assertThat(refusedOrAccepted(() -> Idempotency.wellFormedKey(key), InvalidInputException.class, 400))
                    .isEqualTo(wellFormed ? Optional.of(key) : Optional.empty());
        });
    }

    @Test
    void aDeclaredDigestIsASha256Or400()
    {
        qt().forAll(digestFields(), digestFields()).checkAssert((contentDigest, amzChecksum) ->
                refusedOrAccepted(() -> DeclaredDigest.sha256(contentDigest, amzChecksum), InvalidInputException.class, 400)
                        .ifPresent(declared -> declared.ifPresent(sha256 -> assertThat(sha256).matches("[0-9a-f]{64}"))));
    }

    @Test
    void aSha256IsFoundAmongAnyOtherMembers()
    {
        qt().forAll(sha256s(), otherMembers(), otherMembers()).checkAssert((digest, before, after) -> {
            List<String> members = new ArrayList<>(before);
            members.add("sha-256=:" + Base64.getEncoder().encodeToString(digest) + ":");
            members.addAll(after);
            String hex = HexFormat.of().formatHex(digest);
            assertThat(DeclaredDigest.sha256(List.of(String.join(", ", members)), null)).hasValue(hex);
            assertThat(DeclaredDigest.sha256(null, List.of(Base64.getEncoder().encodeToString(digest)))).hasValue(hex);
            assertThat(DeclaredDigest.sha256(members, List.of(Base64.getEncoder().encodeToString(digest)))).as("one member per line").hasValue(hex);
        });
    }

    @Test
    void conditionsParseOr400AndEvaluateWithoutFailing()
    {
        qt().forAll(conditionFields(), conditionFields(), entityTags()).checkAssert((ifMatch, ifNoneMatch, current) ->
                refusedOrAccepted(() -> Preconditions.of(ifMatch, ifNoneMatch), InvalidInputException.class, 400).ifPresent(conditions -> {
                    assertThat(conditions.evaluate(current, true)).isNotNull();
                    assertThat(conditions.evaluate(current, false)).isNotEqualTo(Preconditions.Outcome.NOT_MODIFIED);
                }));
    }

    @Test
    void anIfMatchListingTheCurrentTagProceedsAndAnIfNoneMatchListingItDoesNot()
    {
        qt().forAll(entityTags(), tagLists()).checkAssert((current, others) -> {
            List<String> tags = new ArrayList<>(others);
            tags.add(Math.floorMod(current.hashCode(), tags.size() + 1), current);
            String field = String.join(", ", tags);
            assertThat(Preconditions.of(List.of(field), null).evaluate(current, false)).isEqualTo(Preconditions.Outcome.PROCEED);
            assertThat(Preconditions.of(null, List.of(field)).evaluate(current, true)).isEqualTo(Preconditions.Outcome.NOT_MODIFIED);
            assertThat(Preconditions.of(null, List.of(field)).evaluate(current, false)).isEqualTo(Preconditions.Outcome.FAILED);
            // A weak tag never satisfies If-Match, whose comparison is strong.
            assertThat(Preconditions.of(List.of("W/" + current), null).evaluate(current, true)).isEqualTo(Preconditions.Outcome.FAILED);
        });
    }

    @Test
    void anAcceptHeaderParsesOr400AndAnswersForAnyType()
    {
        qt().forAll(acceptFields(), headerTexts()).checkAssert((accept, mediaType) ->
                refusedOrAccepted(() -> Accept.of(accept), InvalidInputException.class, 400).ifPresent(parsed -> parsed.accepts(mediaType)));
    }

    @Test
    void aTypeIsAcceptedByItselfItsWildcardsAndNoAccept()
    {
        qt().forAll(mediaTypes()).checkAssert(mediaType -> {
            String type = mediaType.split("/")[0];
            assertThat(Accept.of(List.of(mediaType)).accepts(mediaType)).isTrue();
            assertThat(Accept.of(List.of(type + "/*")).accepts(mediaType)).isTrue();
            assertThat(Accept.of(List.of("*/*;q=0.1")).accepts(mediaType)).isTrue();
            assertThat(Accept.of(null).accepts(mediaType)).isTrue();
            assertThat(Accept.of(List.of(mediaType + ";q=0", "*/*")).accepts(mediaType)).as("refused by its own range").isFalse();
        });
    }

    @Test
    void aLimitIsOneToTheMaximumOr400()
    {
        qt().forAll(numberTexts()).checkAssert(limit -> {
            Optional<Integer> size = refusedOrAccepted(() -> AssetsResource.pageSize(limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), InvalidInputException.class, 400);
            if (limit == null || limit.isEmpty()) {
                assertThat(size).hasValue(DEFAULT_PAGE_SIZE);
                return;
            }
            Optional<Long> asNumber = wholeNumber(limit);
            assertThat(size).isEqualTo(asNumber.filter(value -> value >= 1 && value <= MAX_PAGE_SIZE).map(Long::intValue));
        });
    }

    @Test
    void aDeclaredLengthOverTheLimitIs413AndNotANumberOrNegativeIs400()
    {
        qt().forAll(numberTexts()).checkAssert(contentLength -> {
            Optional<Long> number = contentLength == null ? Optional.empty() : wholeNumber(contentLength.trim());
            int expected = contentLength == null ? 0 : number.map(length -> length < 0 ? 400 : length > UPLOAD_LIMIT ? 413 : 0).orElse(400);
            assertThat(refusal(() -> AssetsResource.declaredLength(contentLength, UPLOAD_LIMIT))).isEqualTo(expected);
            if (expected == 0) {
                assertThat(AssetsResource.declaredLength(contentLength, UPLOAD_LIMIT)).isEqualTo(number.map(OptionalLong::of).orElse(OptionalLong.empty()));
            }
        });
    }

    // What Long.parseLong takes (an optional sign, then digits of any script), as a long when it fits.
    private static Optional<Long> wholeNumber(String text)
    {
        try {
            return Optional.of(Long.parseLong(text));
        }
        catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Gen<String> headerTexts()
    {
        return Generate.oneOf(anyText(), strings().ascii().ofLengthBetween(250, 260), strings().betweenCodePoints('!', '~').ofLengthBetween(0, 256));
    }

    private static Gen<byte[]> sha256s()
    {
        return Generate.byteArrays(Generate.constant(32), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    }

    private static Gen<List<String>> otherMembers()
    {
        Gen<String> key = textOf("abcdefghijklmnopqrstuvwxyz0123456789_-.*", 0, 7).zip(textOf("abcxyz*", 1, 1), (rest, first) -> first + rest);
        Gen<String> value = Generate.oneOf(
                Generate.byteArrays(integers().between(0, 70), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0)).map(bytes -> ":" + Base64.getEncoder().encodeToString(bytes) + ":"),
                integers().between(-999, 999).map(number -> String.valueOf(number)),
                textOf("abcdefgh", 1, 6),
                textOf("abcdefgh", 0, 6).map(text -> "\"" + text + "\""),
                Generate.pick(List.of("?0", "?1", "(1 2 \"x\")", "()", "1.5;q=1")));
        return lists().of(key.zip(value, booleans().all(), (name, item, bare) -> bare ? name : name + "=" + item)).ofSizeBetween(0, 3);
    }

    private static Gen<List<String>> digestFields()
    {
        Gen<String> valid = sha256s().zip(otherMembers(), (digest, others) -> {
            List<String> members = new ArrayList<>(others);
            members.add("sha-256=:" + Base64.getEncoder().encodeToString(digest) + ":");
            return String.join(",", members);
        });
        Gen<String> line = Generate.oneOf(anyText(), valid, valid.map(text -> mutate(text)), sha256s().map(digest -> Base64.getEncoder().encodeToString(digest)),
                otherMembers().map(members -> String.join(", ", members)), textOf("sha-256=:,;()\"?*\\ \tAZaz09+/=", 0, 50));
        return sometimesAbsent(lists().of(line).ofSizeBetween(0, 3));
    }

    private static Gen<String> entityTags()
    {
        return strings().betweenCodePoints('#', '~').ofLengthBetween(0, 20).map(text -> "\"" + text + "\"");
    }

    private static Gen<List<String>> tagLists()
    {
        return lists().of(Generate.oneOf(entityTags(), entityTags().map(tag -> "W/" + tag))).ofSizeBetween(0, 4);
    }

    private static Gen<List<String>> conditionFields()
    {
        Gen<String> line = Generate.oneOf(anyText(), tagLists().map(tags -> String.join(",", tags)), tagLists().map(tags -> mutate(String.join(", ", tags))),
                Generate.pick(List.of("*", " * ", "*, \"a\"", "W/", "W/\"", "\"", ",", "")), textOf("W/\",* \t\u00ff\u0100\u007fa", 0, 20));
        return sometimesAbsent(lists().of(line).ofSizeBetween(0, 3));
    }

    private static Gen<String> mediaTypes()
    {
        Gen<String> token = textOf("abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-", 1, 10);
        Gen<String> parameter = token.zip(token, (name, value) -> ";" + (name.equals("q") ? "r" : name) + "=" + value);
        return token.zip(token, lists().of(parameter).ofSizeBetween(0, 2), (type, subtype, parameters) -> type + "/" + subtype + String.join("", parameters));
    }

    private static Gen<List<String>> acceptFields()
    {
        Gen<String> range = mediaTypes().zip(Generate.pick(List.of("", ";q=0", ";q=0.5", ";q=1", ";q=1.000", ";q=2", ";q=", ";q=0.1234", ";q=-1")),
                (type, quality) -> type + quality);
        Gen<String> line = Generate.oneOf(anyText(), lists().of(range).ofSizeBetween(0, 4).map(ranges -> String.join(", ", ranges)), range.map(text -> mutate(text)),
                Generate.pick(List.of("*/*", "*/x", "x/*", "*", "/", "a/b;", "a/b;c", "a/b;=c", ",,,", ";", ";;")), textOf("*/;=q,.\" \tab01", 0, 20));
        return sometimesAbsent(lists().of(line).ofSizeBetween(0, 3));
    }

    private static Gen<String> numberTexts()
    {
        return sometimesAbsent(Generate.oneOf(anyText(), integers().all().map(number -> String.valueOf(number)), longs().all().map(number -> String.valueOf(number)),
                integers().between(-5, 250).map(number -> String.valueOf(number)), longs().between(999_000, 1_001_000).map(number -> String.valueOf(number)),
                Generate.pick(List.of("", " ", "+5", "-0", "05", "1e2", "1.0", "0x10", "\u0665", " 7 ", "99999999999999999999"))));
    }
}
