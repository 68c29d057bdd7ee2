package io.depot.resources;

import com.codahale.metrics.annotation.Timed;
import io.depot.api.Asset;
import io.depot.auth.TenantPrincipal;
import io.depot.core.AssetService;
import io.depot.core.Uuids;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.util.UUID;

import static java.util.Objects.requireNonNull;

/** Confirms a direct upload: the object must exist with the announced size before it becomes an asset. */
@Path("/api/v1/uploads/{uploadId}/complete")
@Produces(MediaType.APPLICATION_JSON)
public class UploadCompletionResource
{
    private final AssetService assets;
    private final Idempotency idempotency;

    public UploadCompletionResource(AssetService assets, Idempotency idempotency)
    {
        this.assets = requireNonNull(assets, "assets is null");
        this.idempotency = requireNonNull(idempotency, "idempotency is null");
    }

    @POST
    @Timed(name = "complete-upload")
    public Response complete(@Auth TenantPrincipal principal, @Context UriInfo uri, @HeaderParam(Idempotency.HEADER) String idempotencyKey,
            @PathParam("uploadId") String uploadId)
    {
        UUID id = Uuids.parse(uploadId, "upload id");
        return idempotency.run(principal, idempotencyKey, "POST complete " + id, () -> {
            Asset asset = assets.completeUpload(principal.tenant(), id);
            return Response.created(uri.getBaseUriBuilder().path(AssetResource.class).build(asset.id())).entity(asset).build();
        });
    }
}
