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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
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
    public Response get(@Auth TenantPrincipal principal, @Context Request request, @PathParam("id") String id)
    {
        UUID assetId = Uuids.parse(id, "asset id");
        // Another tenant's asset is "not found", exactly like a missing one.
        Asset asset = assets.find(principal.tenant(), assetId).orElseThrow(() -> new NotFoundException("no asset " + assetId));
        EntityTag tag = new EntityTag(asset.entityTag());
        CacheControl cacheControl = new CacheControl();
        cacheControl.setPrivate(true);
        cacheControl.setNoCache(true);
        Response.ResponseBuilder notModified = request.evaluatePreconditions(tag);
        if (notModified != null) {
            return notModified.cacheControl(cacheControl).build();
        }
        return Response.ok(asset).tag(tag).cacheControl(cacheControl).build();
    }

    @DELETE
    @Timed(name = "delete")
    public Response delete(@Auth TenantPrincipal principal, @PathParam("id") String id)
    {
        assets.delete(principal.tenant(), Uuids.parse(id, "asset id"));
        return Response.noContent().build();
    }
}
