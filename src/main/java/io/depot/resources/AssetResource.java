package io.depot.resources;

import com.codahale.metrics.annotation.Timed;
import io.depot.api.Asset;
import io.depot.auth.TenantPrincipal;
import io.depot.core.AssetService;
import io.depot.core.NotFoundException;
import io.depot.core.Uuids;
import io.dropwizard.auth.Auth;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.UUID;

import static java.util.Objects.requireNonNull;

@SecurityRequirement(name = OpenApiContract.BEARER)
@Path("/api/v1/assets/{id}")
@Produces(MediaType.APPLICATION_JSON)
public class AssetResource
{
    private final AssetService assets;

    public AssetResource(AssetService assets)
    {
        this.assets = requireNonNull(assets, "assets is null");
    }

    @GET
    @Timed(name = "get")
    @Operation(operationId = "getAsset", summary = "Get an asset's metadata", description = "Conditional with If-None-Match (304) and If-Match (412).")
    @Parameter(in = ParameterIn.HEADER, name = HttpHeaders.IF_NONE_MATCH, description = "* or entity tags: 304 if one matches (weak comparison).",
            schema = @Schema(types = "string"))
    @Parameter(in = ParameterIn.HEADER, name = HttpHeaders.IF_MATCH, description = "* or entity tags: 412 unless one matches (strong comparison).",
            schema = @Schema(types = "string"))
    @ApiResponse(responseCode = "200", description = "The asset.", headers = {@Header(name = HttpHeaders.ETAG, ref = OpenApiContract.ETAG),
            @Header(name = HttpHeaders.CACHE_CONTROL, ref = OpenApiContract.PRIVATE_NO_CACHE)},
            content = @Content(schema = @Schema(implementation = Asset.class)))
    @ApiResponse(responseCode = "304", description = "If-None-Match matched: the cached copy is current.", headers = {
            @Header(name = HttpHeaders.ETAG, ref = OpenApiContract.ETAG), @Header(name = HttpHeaders.CACHE_CONTROL, ref = OpenApiContract.PRIVATE_NO_CACHE)})
    @ApiResponse(responseCode = "400", description = "The id is not a UUID, or If-Match / If-None-Match is malformed.")
    @ApiResponse(responseCode = "404", description = "No such asset for this tenant.")
    @ApiResponse(responseCode = "412", description = "If-Match did not match.", headers = @Header(name = HttpHeaders.ETAG, ref = OpenApiContract.ETAG))
    public Response get(@Parameter(hidden = true) @Auth TenantPrincipal principal, @Context HttpHeaders headers,
            @Parameter(description = "The asset's id.", schema = @Schema(format = "uuid")) @PathParam("id") String id)
    {
        UUID assetId = Uuids.parse(id, "asset id");
        Preconditions conditions = Preconditions.of(headers);
        Asset asset = find(principal, assetId);
        EntityTag tag = new EntityTag(asset.entityTag());
        CacheControl cacheControl = new CacheControl();
        cacheControl.setPrivate(true);
        cacheControl.setNoCache(true);
        return switch (conditions.evaluate(quoted(tag), true)) {
            case PROCEED -> Response.ok(asset).tag(tag).cacheControl(cacheControl).build();
            case NOT_MODIFIED -> Response.notModified(tag).cacheControl(cacheControl).build();
            case FAILED -> preconditionFailed(tag);
        };
    }

    /** With If-Match (or If-None-Match), the asset is deleted only if its entity tag satisfies it; otherwise 412 and it stays. */
    @DELETE
    @Timed(name = "delete")
    @Operation(operationId = "deleteAsset", summary = "Delete an asset", description = "Final: the object is removed from the bucket (or queued for removal if it fails).")
    @Parameter(in = ParameterIn.HEADER, name = HttpHeaders.IF_MATCH, description = "* or entity tags: delete only if one matches, else 412.",
            schema = @Schema(types = "string"))
    @Parameter(in = ParameterIn.HEADER, name = HttpHeaders.IF_NONE_MATCH, description = "* or entity tags: 412 if one matches.",
            schema = @Schema(types = "string"))
    @ApiResponse(responseCode = "204", description = "Deleted.")
    @ApiResponse(responseCode = "400", description = "The id is not a UUID, or If-Match / If-None-Match is malformed.")
    @ApiResponse(responseCode = "404", description = "No such asset for this tenant.")
    @ApiResponse(responseCode = "412", description = "The precondition failed; nothing was deleted.", headers = @Header(name = HttpHeaders.ETAG, ref = OpenApiContract.ETAG))
    public Response delete(@Parameter(hidden = true) @Auth TenantPrincipal principal, @Context HttpHeaders headers,
            @Parameter(description = "The asset's id.", schema = @Schema(format = "uuid")) @PathParam("id") String id)
    {
        UUID assetId = Uuids.parse(id, "asset id");
        Preconditions conditions = Preconditions.of(headers);
        if (!conditions.isEmpty()) {
            // An asset never changes once created, so the tag checked here is the tag of what is deleted.
            EntityTag tag = new EntityTag(find(principal, assetId).entityTag());
            if (conditions.evaluate(quoted(tag), false) != Preconditions.Outcome.PROCEED) {
                return preconditionFailed(tag);
            }
        }
        assets.delete(principal.tenant(), assetId);
        return Response.noContent().build();
    }

    // Another tenant's asset is "not found", exactly like a missing one.
    private Asset find(TenantPrincipal principal, UUID assetId)
    {
        return assets.find(principal.tenant(), assetId).orElseThrow(() -> new NotFoundException("no asset " + assetId));
    }

    private static String quoted(EntityTag tag)
    {
        return '"' + tag.getValue() + '"';
    }

    private static Response preconditionFailed(EntityTag current)
    {
        return ErrorResponses.error(412, "the asset's entity tag is " + quoted(current) + ", which does not satisfy If-Match / If-None-Match").tag(current).build();
    }
}
