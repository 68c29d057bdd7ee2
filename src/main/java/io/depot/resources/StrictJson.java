package io.depot.resources;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.depot.core.MediaTypes;
import io.dropwizard.jersey.jackson.JsonProcessingExceptionMapper;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * JSON request bodies have strict types: an integer field takes only a JSON integer (not 1.9,
 * "5" or true, which Jackson would truncate or convert), a string field only a JSON string (not 5).
 * A mismatch is a 400 naming the field and the type it takes. A field given twice in one object is
 * a 400 naming it ({@link DuplicateField}), where Jackson failed to build the record, a 500.
 */
public final class StrictJson
        implements ExceptionMapper<MismatchedInputException>
{
    // Jackson's message for a field read twice (STRICT_DUPLICATE_DETECTION).
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'", Pattern.DOTALL);

    /** Turns Jackson's scalar coercions off on {@code json}, the mapper Jersey reads bodies with. */
    public static void apply(ObjectMapper json)
    {
        json.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        json.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        json.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /** A field given twice; any other syntax error keeps Dropwizard's answer. */
    public static final class DuplicateField
            implements ExceptionMapper<JsonParseException>
    {
        private final JsonProcessingExceptionMapper syntax = new JsonProcessingExceptionMapper();

        @Override
        public Response toResponse(JsonParseException exception)
        {
            Matcher duplicate = DUPLICATE.matcher(String.valueOf(exception.getOriginalMessage()));
            if (!duplicate.matches()) {
                return syntax.toResponse(exception);
            }
            return ErrorResponses.error(400, "the JSON object gives " + MediaTypes.printable(duplicate.group(1)) + " twice: give each field once").build();
        }
    }

    @Override
    public Response toResponse(MismatchedInputException exception)
    {
        String field = exception.getPath().stream().map(JsonMappingException.Reference::getFieldName).collect(Collectors.joining("."));
        if (field.isEmpty()) {
            return ErrorResponses.error(400, "Unable to process JSON: the body must be a JSON object").build();
        }
        return ErrorResponses.error(400, field + " must be " + expected(exception.getTargetType())).build();
    }

    private static String expected(Class<?> type)
    {
        if (type == null) {
            return "of another JSON type";
        }
        if (type == String.class) {
            return "a JSON string";
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "a JSON integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        return "of another JSON type";
    }
}
