package io.depot.resources;

import io.depot.core.InvalidInputException;
import io.depot.core.MediaTypes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An Accept header (RFC 9110 §12.5.1), read here rather than by Jersey so that any media type can
 * be negotiated, not only those a resource declares. A media type's quality is that of the most
 * specific range matching it (type/subtype with parameters, type/subtype, type/*, then *&#47;*).
 * A header that cannot be parsed is a 400 saying what it must look like, on every route (see
 * {@link AcceptFilter}), where Jersey would answer a bare "Bad Request".
 */
public final class Accept
{
    private record Range(String type, String subtype, Map<String, String> parameters, double quality)
    {
        int specificity(MediaType candidate)
        {
            if (!type.equals("*") && !type.equals(candidate.type())) {
                return -1;
            }
            if (!subtype.equals("*") && !subtype.equals(candidate.subtype())) {
                return -1;
            }
            if (!candidate.parameters().entrySet().containsAll(parameters.entrySet())) {
                return -1;
            }
            return (type.equals("*") ? 0 : 1) + (subtype.equals("*") ? 0 : 1) + (parameters.isEmpty() ? 0 : 1);
        }
    }

    private record MediaType(String type, String subtype, Map<String, String> parameters) {}

    private final List<Range> ranges;

    private Accept(List<Range> ranges)
    {
        this.ranges = ranges;
    }

    /**
     * The request's Accept header values; none at all, or only empty ones (as Jersey reads them
     * too), accepts everything; a malformed one is an {@link InvalidInputException}.
     */
    public static Accept of(List<String> values)
    {
        List<String> elements = elements(values);
        if (elements.isEmpty()) {
            return new Accept(List.of(new Range("*", "*", Map.of(), 1)));
        }
        List<Range> ranges = new ArrayList<>();
        for (String element : elements) {
            ranges.add(parseRange(element).orElseThrow(() -> new InvalidInputException(
                    "Accept must be a comma-separated list of media ranges such as image/png, image/*;q=0.5 or */*, not '" + MediaTypes.printable(element) + "'")));
        }
        return new Accept(List.copyOf(ranges));
    }

    /** The media ranges of all the Accept fields, trimmed, the empty list elements (RFC 9110 §5.6.1) left out. */
    public static List<String> elements(List<String> values)
    {
        if (values == null) {
            return List.of();
        }
        return values.stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .map(String::trim)
                .filter(element -> !element.isEmpty())
                .toList();
    }

    /** Whether {@code mediaType} (type/subtype with optional parameters) has a quality above 0. */
    public boolean accepts(String mediaType)
    {
        Optional<MediaType> candidate = parseMediaType(mediaType);
        if (candidate.isEmpty()) {
            return false;
        }
        int best = -1;
        double quality = 0;
        for (Range range : ranges) {
            int specificity = range.specificity(candidate.get());
            if (specificity > best) {
                best = specificity;
                quality = range.quality();
            }
        }
        return quality > 0;
    }

    private static Optional<Range> parseRange(String element)
    {
        Optional<MediaType> mediaType = parseMediaType(element);
        if (mediaType.isEmpty() || (mediaType.get().type().equals("*") && !mediaType.get().subtype().equals("*"))) {
            return Optional.empty();
        }
        Map<String, String> parameters = new TreeMap<>(mediaType.get().parameters());
        double quality = 1;
        String weight = parameters.remove("q");
        if (weight != null) {
            if (!weight.matches("0(\\.\\d{0,3})?|1(\\.0{0,3})?")) {
                return Optional.empty();
            }
            quality = Double.parseDouble(weight);
        }
        return Optional.of(new Range(mediaType.get().type(), mediaType.get().subtype(), Map.copyOf(parameters), quality));
    }

    // type/subtype *( OWS ";" OWS name=value ), names and types case-insensitive; values compared as sent, quotes removed.
    private static Optional<MediaType> parseMediaType(String text)
    {
        String[] parts = text.split(";");
        if (parts.length == 0) {
            // Nothing but semicolons: no type at all.
            return Optional.empty();
        }
        String[] names = parts[0].trim().toLowerCase(Locale.ROOT).split("/", -1);
        if (names.length != 2 || !isToken(names[0]) || !isToken(names[1])) {
            return Optional.empty();
        }
        Map<String, String> parameters = new TreeMap<>();
        for (int index = 1; index < parts.length; index++) {
            String[] parameter = parts[index].trim().split("=", 2);
            if (parameter.length != 2 || !isToken(parameter[0].trim())) {
                return Optional.empty();
            }
            String value = parameter[1].trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            String name = parameter[0].trim().toLowerCase(Locale.ROOT);
            // charset values are case-insensitive (RFC 2046 §4.1.2).
            parameters.put(name, name.equals("charset") ? value.toLowerCase(Locale.ROOT) : value);
        }
        return Optional.of(new MediaType(names[0], names[1], Map.copyOf(parameters)));
    }

    private static boolean isToken(String text)
    {
        return text.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    }
}
