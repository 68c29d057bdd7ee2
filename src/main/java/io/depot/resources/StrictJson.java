package io.depot.resources;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

import java.util.stream.Collectors;

/**
 * JSON request bodies have strict types: an integer field takes only a JSON integer (not 1.9,
 * "5" or true, which Jackson would truncate or convert), a string field only a JSON string (not 5).
 * A mismatch is a 400 naming the field and the type it takes.
 */
public final class StrictJson
        implements ExceptionMapper<MismatchedInputException>
{
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
