package io.depot.resources;

import io.depot.core.InvalidInputException;
import jakarta.ws.rs.core.HttpHeaders;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * If-Match and If-None-Match (RFC 9110 §13.1.1, §13.1.2) against an asset's entity tag, evaluated
 * in the order of §13.2.2. Parsed here rather than by Jersey, whose parser fails with a 500 on a
 * malformed header; a malformed one is a 400 that says what the header must look like.
 */
public final class Preconditions
{
    public enum Outcome
    {
        /** Go on with the request. */
        PROCEED,
        /** GET or HEAD: 304 Not Modified. */
        NOT_MODIFIED,
        /** 412 Precondition Failed. */
        FAILED
    }

    private static final String SYNTAX = "must be * or a comma-separated list of entity tags such as \"abc\" or W/\"abc\"";

    private final Optional<Condition> ifMatch;
    private final Optional<Condition> ifNoneMatch;

    private Preconditions(Optional<Condition> ifMatch, Optional<Condition> ifNoneMatch)
    {
        this.ifMatch = ifMatch;
        this.ifNoneMatch = ifNoneMatch;
    }

    /** The request's conditions; a malformed header is an {@link InvalidInputException}. */
    public static Preconditions of(HttpHeaders headers)
    {
        return of(headers.getRequestHeader(HttpHeaders.IF_MATCH), headers.getRequestHeader(HttpHeaders.IF_NONE_MATCH));
    }

    /** From each header's lines (null or empty when it is absent). */
    static Preconditions of(List<String> ifMatch, List<String> ifNoneMatch)
    {
        return new Preconditions(parse(HttpHeaders.IF_MATCH, ifMatch), parse(HttpHeaders.IF_NONE_MATCH, ifNoneMatch));
    }

    public boolean isEmpty()
    {
        return ifMatch.isEmpty() && ifNoneMatch.isEmpty();
    }

    /**
     * The outcome for a resource that exists with the strong tag {@code current} (the quoted
     * form); {@code safe} is true for GET and HEAD, where a matching If-None-Match means 304.
     */
    public Outcome evaluate(String current, boolean safe)
    {
        // If-Match compares strongly: a weak tag never matches.
        if (ifMatch.isPresent() && !ifMatch.get().matches(current, false)) {
            return Outcome.FAILED;
        }
        // If-None-Match compares weakly.
        if (ifNoneMatch.isPresent() && ifNoneMatch.get().matches(current, true)) {
            return safe ? Outcome.NOT_MODIFIED : Outcome.FAILED;
        }
        return Outcome.PROCEED;
    }

    private record Condition(boolean any, List<String> weakTags, List<String> strongTags)
    {
        boolean matches(String current, boolean weakComparison)
        {
            return any || strongTags.contains(current) || (weakComparison && weakTags.contains(current));
        }
    }

    private static Optional<Condition> parse(String name, List<String> values)
    {
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        String value = String.join(",", values).trim();
        if (value.equals("*")) {
            return Optional.of(new Condition(true, List.of(), List.of()));
        }
        List<String> weak = new ArrayList<>();
        List<String> strong = new ArrayList<>();
        int position = 0;
        while (position < value.length()) {
            char next = value.charAt(position);
            if (next == ',' || next == ' ' || next == '\t') {
                position++;
                continue;
            }
            boolean isWeak = value.startsWith("W/", position);
            int open = isWeak ? position + 2 : position;
            int close = open < value.length() && value.charAt(open) == '"' ? value.indexOf('"', open + 1) : -1;
            if (close < 0 || !validTagCharacters(value, open + 1, close)) {
                throw malformed(name);
            }
            (isWeak ? weak : strong).add(value.substring(open, close + 1));
            position = close + 1;
            if (position < value.length() && ", \t".indexOf(value.charAt(position)) < 0) {
                throw malformed(name);
            }
        }
        if (weak.isEmpty() && strong.isEmpty()) {
            throw malformed(name);
        }
        return Optional.of(new Condition(false, List.copyOf(weak), List.copyOf(strong)));
    }

    // etagc = %x21 / %x23-7E / obs-text
    private static boolean validTagCharacters(String value, int from, int to)
    {
        for (int index = from; index < to; index++) {
            char character = value.charAt(index);
            if (character < 0x21 || character == 0x7F || (character > 0xFF)) {
                return false;
            }
        }
        return true;
    }

    private static InvalidInputException malformed(String name)
    {
        return new InvalidInputException(name + " " + SYNTAX);
    }
}
