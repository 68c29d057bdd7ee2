package io.depot.resources;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.depot.api.Asset;
import io.depot.api.AssetPage;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

import static java.util.Objects.requireNonNull;

/**
 * The read path's response bodies (an asset, a page), each written by an ObjectWriter built once.
 * The generic Jackson provider hashes every annotation of the resource method on each response to
 * look its writer up, and the OpenAPI annotations on these methods made that about a twentieth of
 * a GET's CPU (JFR). Declared for the exact type, so Jersey prefers it to the provider for Object.
 * The writer comes from the application's configured mapper: the same JSON as before.
 */
@Produces(MediaType.APPLICATION_JSON)
public abstract class ApiJsonWriter<T>
        implements MessageBodyWriter<T>
{
    private final Class<T> type;
    private final ObjectWriter writer;

    /** {@code json} must be fully configured: the writer keeps the mapper's settings as they are now. */
    private ApiJsonWriter(ObjectMapper json, Class<T> type)
    {
        this.type = requireNonNull(type, "type is null");
        // The container closes the stream, as it does after Jackson's JAX-RS provider.
        this.writer = requireNonNull(json, "json is null").writerFor(type).without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }

    @Override
    public boolean isWriteable(Class<?> candidate, Type genericType, Annotation[] annotations, MediaType mediaType)
    {
        return candidate == type && MediaType.APPLICATION_JSON_TYPE.isCompatible(mediaType);
    }

    @Override
    public void writeTo(T value, Class<?> candidate, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> headers, OutputStream body)
            throws IOException
    {
        writer.writeValue(body, value);
    }

    public static final class ForAsset
            extends ApiJsonWriter<Asset>
    {
        public ForAsset(ObjectMapper json)
        {
            super(json, Asset.class);
        }
    }

    public static final class ForPage
            extends ApiJsonWriter<AssetPage>
    {
        public ForPage(ObjectMapper json)
        {
            super(json, AssetPage.class);
        }
    }
}
