package io.depot.resources;

import com.codahale.metrics.annotation.Timed;
import io.depot.api.Asset;
import io.depot.api.AssetPage;
import io.depot.auth.TenantPrincipal;
import io.depot.core.AssetService;
import io.depot.core.Cursor;
import io.depot.core.Filenames;
import io.depot.core.InvalidInputException;
import io.depot.core.MediaTypes;
import io.depot.core.TooLargeException;
import io.depot.core.UploadCapacity;
import io.dropwizard.auth.Auth;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.io.InputStream;
import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

@SecurityRequirement(name = OpenApiContract.BEARER)
@Path("/api/v1/assets")
@Produces(MediaType.APPLICATION_JSON)
public class AssetsResource
{
    private final AssetService assets;
    private final Idempotency idempotency;
    private final int defaultPageSize;
    private final int maxPageSize;

    public AssetsResource(AssetService assets, Idempotency idempotency, LimitsConfiguration limits)
    {
        this.assets = requireNonNull(assets, "assets is null");
        this.idempotency = requireNonNull(idempotency, "idempotency is null");
        this.defaultPageSize = limits.getDefaultPageSize();
        this.maxPageSize = limits.getMaxPageSize();
    }

    /**
     * The file is the raw request body; it streams to S3 while its size and SHA-256 are measured.
     * A digest header (Content-Digest or x-amz-checksum-sha256) must match the bytes received, or
     * nothing is stored. Under an Idempotency-Key the fingerprint is the filename and type, and
     * the body is compared by SHA-256, so framing (a length or chunks) does not matter.
     */
    @POST
    @Timed(name = "upload")
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "uploadAsset", summary = "Upload a file as the raw request body",
            description = "Streamed to the bucket while its size and SHA-256 are measured. A declared digest the body does not match is 400 and stores nothing.",
            // Not required: no body (Content-Length: 0) is an empty file, and a validator reads a body of no bytes as none.
            requestBody = @RequestBody(required = false, description = "The file's bytes, with its media type as Content-Type (stored exactly as sent). "
                    + "No bytes at all store an empty file.",
                    content = @Content(mediaType = MediaType.WILDCARD, schema = @Schema(types = "string", format = "binary"))))
    @Parameter(in = ParameterIn.HEADER, name = DeclaredDigest.CONTENT_DIGEST, description = "The body's SHA-256 as RFC 9530 has it: sha-256=:BASE64:",
            schema = @Schema(types = "string"))
    @Parameter(in = ParameterIn.HEADER, name = DeclaredDigest.AMZ_CHECKSUM_SHA256, description = "The body's SHA-256 in base64, as S3 takes it.",
            schema = @Schema(types = "string"))
    @ApiResponse(responseCode = "201", description = "The asset was stored.", headers = @Header(name = HttpHeaders.LOCATION, description = "The asset's URL.",
            required = true, schema = @Schema(types = "string", format = "uri")), content = @Content(schema = @Schema(implementation = Asset.class)))
    @ApiResponse(responseCode = "400", description = "A missing or invalid filename, a digest the body does not match, a body that could not be read, "
            + "or one the bucket refused; nothing was stored.")
    @ApiResponse(responseCode = "413", description = "The file is larger than the upload limit; nothing was stored.")
    @ApiResponse(responseCode = "415", description = "A multipart form or other media type that cannot be a stored file.")
    @ApiResponse(responseCode = "429", description = "The tenant has too many uploads in flight, or the token's rate limit is spent.")
    @ApiResponse(responseCode = "503", description = "No upload buffer was free in time, a dependency is down, or the instance is stopping and cut the upload "
            + "(after its upload finish window): nothing was stored; send it again after Retry-After.")
    public Response upload(
            @Parameter(hidden = true) @Auth TenantPrincipal principal,
            @Context UriInfo uri,
            @Context HttpHeaders headers,
            @Parameter(description = "The file's name: at most 255 bytes of UTF-8, not spaces alone, no path separators, control or invisible format characters.",
                    required = true, schema = @Schema(minLength = 1, maxLength = 255, pattern = "\\S")) @QueryParam("filename") String filename,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
            @HeaderParam(Idempotency.HEADER) String idempotencyKey,
            @Parameter(hidden = true) InputStream body)
    {
        String validFilename = Filenames.validate(filename);
        String validType = MediaTypes.forStoredFile(contentType);
        OptionalLong declaredLength = declaredLength(contentLength, assets.uploadLimit());
        Optional<String> declaredSha256 = DeclaredDigest.sha256(headers.getRequestHeader(DeclaredDigest.CONTENT_DIGEST),
                headers.getRequestHeader(DeclaredDigest.AMZ_CHECKSUM_SHA256));
        String fingerprint = idempotency.fingerprint("POST /api/v1/assets", validFilename, validType);
        try (UploadCapacity.Admission ignored = assets.admitUpload(principal.tenant())) {
            return idempotency.run(principal, idempotencyKey, fingerprint, () -> declaredSha256.orElseGet(() -> assets.sha256Of(body)), () -> {
                Asset asset = assets.upload(principal.tenant(), validFilename, validType, body, declaredLength, declaredSha256);
                return new Idempotency.Outcome(Response.created(uri.getBaseUriBuilder().path(AssetResource.class).build(asset.id())).entity(asset).build(),
                        asset.sha256());
            });
        }
    }

    // A declared length over the limit is refused before a byte is read or sent to S3; one within it sizes the upload's buffer.
    static OptionalLong declaredLength(String contentLength, long uploadLimit)
    {
        if (contentLength == null) {
            return OptionalLong.empty();
        }
        try {
            long declared = Long.parseLong(contentLength.trim());
            if (declared < 0) {
                throw new InvalidInputException("Content-Length is negative");
            }
            if (declared > uploadLimit) {
                throw new TooLargeException("the file is larger than the upload limit of " + uploadLimit + " bytes");
            }
            return OptionalLong.of(declared);
        }
        catch (NumberFormatException e) {
            throw new InvalidInputException("Content-Length is not a number");
        }
    }

    @GET
    @Timed(name = "list")
    @Operation(operationId = "listAssets", summary = "List the tenant's assets, newest first",
            description = "Keyset pagination: pass a page's nextCursor as cursor to get the next page. The limits shown are the defaults (limits.defaultPageSize, limits.maxPageSize).")
    @ApiResponse(responseCode = "200", description = "One page of assets.", content = @Content(schema = @Schema(implementation = AssetPage.class)))
    @ApiResponse(responseCode = "400", description = "A limit outside its range or a cursor this API did not return.")
    public AssetPage list(
            @Parameter(hidden = true) @Auth TenantPrincipal principal,
            @Parameter(description = "How many assets a page holds.", schema = @Schema(types = "integer", minimum = "1",
                    maximum = "" + LimitsConfiguration.DEFAULT_MAX_PAGE_SIZE, defaultValue = "" + LimitsConfiguration.DEFAULT_PAGE_SIZE)) @QueryParam("limit") String limit,
            @Parameter(description = "The nextCursor of the previous page; absent or empty for the first page.") @QueryParam("cursor") String cursor)
    {
        Optional<Cursor> after = cursor == null || cursor.isEmpty() ? Optional.empty() : Optional.of(Cursor.decode(cursor));
        return assets.list(principal.tenant(), pageSize(limit, defaultPageSize, maxPageSize), after);
    }

    static int pageSize(String limit, int defaultPageSize, int maxPageSize)
    {
        if (limit == null || limit.isEmpty()) {
            return defaultPageSize;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= maxPageSize) {
                return value;
            }
        }
        catch (NumberFormatException ignored) {
            // Reported below with the valid range.
        }
        throw new InvalidInputException("limit must be a whole number from 1 to " + maxPageSize);
    }
}
