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

import static java.util.Objects.requireNonNull;

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
    public Response upload(
            @Auth TenantPrincipal principal,
            @Context UriInfo uri,
            @Context HttpHeaders headers,
            @QueryParam("filename") String filename,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
            @HeaderParam(Idempotency.HEADER) String idempotencyKey,
            InputStream body)
    {
        String validFilename = Filenames.validate(filename);
        String validType = MediaTypes.forStoredFile(contentType);
        rejectDeclaredOversize(contentLength);
        Optional<String> declaredSha256 = DeclaredDigest.sha256(headers.getRequestHeader(DeclaredDigest.CONTENT_DIGEST),
                headers.getRequestHeader(DeclaredDigest.AMZ_CHECKSUM_SHA256));
        String fingerprint = idempotency.fingerprint("POST /api/v1/assets", validFilename, validType);
        try (UploadCapacity.Admission ignored = assets.admitUpload(principal.tenant())) {
            return idempotency.run(principal, idempotencyKey, fingerprint, () -> declaredSha256.orElseGet(() -> assets.sha256Of(body)), () -> {
                Asset asset = assets.upload(principal.tenant(), validFilename, validType, body, declaredSha256);
                return new Idempotency.Outcome(Response.created(uri.getBaseUriBuilder().path(AssetResource.class).build(asset.id())).entity(asset).build(),
                        asset.sha256());
            });
        }
    }

    // A declared length over the limit is refused before a byte is read or sent to S3.
    private void rejectDeclaredOversize(String contentLength)
    {
        if (contentLength == null) {
            return;
        }
        try {
            long declared = Long.parseLong(contentLength.trim());
            if (declared > assets.uploadLimit()) {
                throw new TooLargeException("the file is larger than the upload limit of " + assets.uploadLimit() + " bytes");
            }
        }
        catch (NumberFormatException e) {
            throw new InvalidInputException("Content-Length is not a number");
        }
    }

    @GET
    @Timed(name = "list")
    public AssetPage list(@Auth TenantPrincipal principal, @QueryParam("limit") String limit, @QueryParam("cursor") String cursor)
    {
        Optional<Cursor> after = cursor == null || cursor.isEmpty() ? Optional.empty() : Optional.of(Cursor.decode(cursor));
        return assets.list(principal.tenant(), pageSize(limit), after);
    }

    private int pageSize(String limit)
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
