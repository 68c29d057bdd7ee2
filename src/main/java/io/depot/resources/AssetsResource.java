package io.depot.resources;

import com.codahale.metrics.annotation.Timed;
import io.depot.api.Asset;
import io.depot.api.AssetPage;
import io.depot.core.AssetService;
import io.depot.core.Cursor;
import io.depot.core.DepotException;
import io.depot.core.Filenames;
import io.depot.core.MediaTypes;
import io.depot.LimitsConfiguration;
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
import jakarta.ws.rs.core.SecurityContext;
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
        this.defaultPageSize = limits.defaultPageSize;
        this.maxPageSize = limits.maxPageSize;
    }

    /** The file is the raw request body; it streams to S3 while its size and SHA-256 are measured. */
    @POST
    @Timed(name = "upload")
    @Consumes(MediaType.WILDCARD)
    public Response upload(
            @Context SecurityContext security,
            @Context UriInfo uri,
            @QueryParam("filename") String filename,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
            @HeaderParam(Idempotency.HEADER) String idempotencyKey,
            InputStream body)
    {
        TenantPrincipal principal = (TenantPrincipal) security.getUserPrincipal();
        String validFilename = Filenames.validate(filename);
        String validType = MediaTypes.forStoredFile(contentType);
        rejectDeclaredOversize(contentLength);
        String fingerprint = "POST " + uri.getRequestUri().getRawPath() + "?" + uri.getRequestUri().getRawQuery() + " " + validType + " " + contentLength;
        return idempotency.run(principal, idempotencyKey, fingerprint, () -> {
            Asset asset = assets.upload(principal.tenant(), validFilename, validType, body);
            return Response.created(uri.getBaseUriBuilder().path(AssetResource.class).build(asset.id())).entity(asset).build();
        });
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
                throw new DepotException(413, "the file is larger than the upload limit of " + assets.uploadLimit() + " bytes");
            }
        }
        catch (NumberFormatException e) {
            throw DepotException.badRequest("Content-Length is not a number");
        }
    }

    @GET
    @Timed(name = "list")
    public AssetPage list(@Context SecurityContext security, @QueryParam("limit") String limit, @QueryParam("cursor") String cursor)
    {
        TenantPrincipal principal = (TenantPrincipal) security.getUserPrincipal();
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
        throw DepotException.badRequest("limit must be a whole number from 1 to " + maxPageSize);
    }
}
