package io.depot.resources;

import com.codahale.metrics.annotation.Timed;
import io.depot.core.Hashes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import static java.util.Objects.requireNonNull;

/**
 * The API's OpenAPI 3.1 document, as the build generated it from these resources and the api
 * records. Public (no token), and cacheable: it changes only with a release, and its entity tag is
 * its SHA-256.
 */
@Path(OpenApiResource.PATH)
@Produces(MediaType.APPLICATION_JSON)
@PublicRoute
public class OpenApiResource
{
    public static final String PATH = "/api/v1/openapi.json";
    /** Where the build writes the document, next to this class. */
    static final String DOCUMENT = "openapi.json";
    /** Any cache may keep it for five minutes, then revalidates it. */
    static final String CACHE_CONTROL = "public, max-age=300";

    private final byte[] document;
    private final EntityTag tag;

    public OpenApiResource(byte[] document)
    {
        this.document = requireNonNull(document, "document is null").clone();
        this.tag = new EntityTag(Hashes.sha256Hex(this.document));
    }

    /** The document the build put on the class path; a jar without it is a broken build. */
    public static OpenApiResource fromClassPath()
    {
        try (InputStream in = OpenApiResource.class.getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException(DOCUMENT + " is missing beside " + OpenApiResource.class.getName() + ": the build generates it (mvn process-classes)");
            }
            return new OpenApiResource(in.readAllBytes());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @Timed(name = "openapi")
    @Operation(operationId = "getOpenApiDocument", summary = "This document", description = "Needs no token. Cacheable; revalidate with If-None-Match.")
    @Parameter(in = ParameterIn.HEADER, name = HttpHeaders.IF_NONE_MATCH, description = "* or entity tags: 304 if one matches.", schema = @Schema(types = "string"))
    @Parameter(in = ParameterIn.HEADER, name = HttpHeaders.IF_MATCH, description = "* or entity tags: 412 unless one matches.", schema = @Schema(types = "string"))
    @ApiResponse(responseCode = "200", description = "The OpenAPI 3.1 document.", headers = {@Header(name = HttpHeaders.ETAG, description = "The document's SHA-256.",
            required = true, schema = @Schema(types = "string")), @Header(name = HttpHeaders.CACHE_CONTROL, ref = OpenApiContract.PUBLIC_MAX_AGE)},
            content = @Content(schema = @Schema(types = "object", description = "An OpenAPI 3.1 document.")))
    @ApiResponse(responseCode = "304", description = "If-None-Match matched.", headers = {@Header(name = HttpHeaders.ETAG, description = "The document's SHA-256.",
            required = true, schema = @Schema(types = "string")), @Header(name = HttpHeaders.CACHE_CONTROL, ref = OpenApiContract.PUBLIC_MAX_AGE)})
    @ApiResponse(responseCode = "400", description = "A malformed If-None-Match, If-Match or Accept header.")
    @ApiResponse(responseCode = "412", description = "If-Match did not match.", headers = @Header(name = HttpHeaders.ETAG, description = "The document's SHA-256.",
            required = true, schema = @Schema(types = "string")))
    public Response get(@Context HttpHeaders headers)
    {
        return switch (Preconditions.of(headers).evaluate('"' + tag.getValue() + '"', true)) {
            case PROCEED -> Response.ok(document, MediaType.APPLICATION_JSON_TYPE).tag(tag).header(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL).build();
            case NOT_MODIFIED -> Response.notModified(tag).header(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL).build();
            case FAILED -> ErrorResponses.error(412, "the document's entity tag is \"" + tag.getValue() + "\", which does not satisfy If-Match").tag(tag).build();
        };
    }
}
