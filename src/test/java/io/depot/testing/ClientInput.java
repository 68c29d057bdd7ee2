package io.depot.testing;

import io.depot.api.ApiError;
import io.depot.core.DepotException;
import io.depot.resources.DepotExceptionMapper;
import jakarta.ws.rs.core.Response;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

/** For property tests of the parsers of client input: what a parser may do with anything a client sends, and such input. */
public final class ClientInput
{
    private ClientInput() {}

    /**
     * Runs {@code parse}: its value, or empty when it refused the input with exactly {@code refusal},
     * which Depot answers with {@code status} and a JSON message. Any other exception fails.
     */
    public static <T> Optional<T> refusedOrAccepted(Supplier<T> parse, Class<? extends DepotException> refusal, int status)
    {
        try {
            return Optional.of(parse.get());
        }
        catch (DepotException e) {
            assertThat(e).as("the refusal").isExactlyInstanceOf(refusal);
            assertThat(status(e)).isEqualTo(status);
            return Optional.empty();
        }
    }

    /** The status Depot answers when {@code check} refuses the input, 0 when it accepts it; any exception but Depot's own 4xx fails. */
    public static int refusal(Runnable check)
    {
        try {
            check.run();
            return 0;
        }
        catch (DepotException e) {
            int status = status(e);
            assertThat(status).as(e.toString()).isBetween(400, 499);
            return status;
        }
    }

    // What the client gets: the status, and a JSON body whose code is that status.
    private static int status(DepotException refusal)
    {
        Response response = new DepotExceptionMapper().toResponse(refusal);
        assertThat(response.getEntity()).isInstanceOfSatisfying(ApiError.class, error -> {
            assertThat(error.code()).isEqualTo(response.getStatus());
            assertThat(error.message()).isNotBlank();
        });
        return response.getStatus();
    }

    /** Any characters at all, of any plane, including controls and lone surrogates; or any ASCII. */
    public static Gen<String> anyText()
    {
        return Generate.oneOf(strings().allPossible().ofLengthBetween(0, 80), strings().ascii().ofLengthBetween(0, 80));
    }

    /** Text of {@code minLength} to {@code maxLength} characters, each from {@code alphabet}. */
    public static Gen<String> textOf(String alphabet, int minLength, int maxLength)
    {
        List<Character> characters = alphabet.chars().mapToObj(character -> (char) character).toList();
        return lists().of(Generate.pick(characters)).ofSizeBetween(minLength, maxLength)
                .map(list -> list.stream().map(String::valueOf).collect(Collectors.joining()));
    }

    /** {@code values}, and now and then null: a header or parameter that is absent. */
    public static <T> Gen<T> sometimesAbsent(Gen<T> values)
    {
        return Generate.frequency(Pair.of(9, values), Pair.of(1, Generate.constant(() -> null)));
    }

    /** {@code text} with one character replaced by a tab, dropped or doubled: nearly valid input. */
    public static String mutate(String text)
    {
        if (text.isEmpty()) {
            return text;
        }
        int position = Math.floorMod(text.hashCode(), text.length());
        return switch (Math.floorMod(text.hashCode() >> 8, 3)) {
            case 0 -> text.substring(0, position) + "\t" + text.substring(position + 1);
            case 1 -> text.substring(0, position) + text.substring(position + 1);
            default -> text.substring(0, position + 1) + text.substring(position);
        };
    }
}
