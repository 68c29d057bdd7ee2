package io.depot.resources;

import com.codahale.metrics.annotation.Timed;
import io.depot.api.Asset;
import io.depot.auth.TenantPrincipal;
import io.depot.core.AssetService;
import io.depot.core.NotFoundException;
import io.depot.core.Uuids;
import io.dropwizard.auth.Auth;
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
    public Response get(@Auth TenantPrincipal principal, @Context HttpHeaders headers, @PathParam("id") String id)
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
    public Response delete(@Auth TenantPrincipal principal, @Context HttpHeaders headers, @PathParam("id") String id)
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
