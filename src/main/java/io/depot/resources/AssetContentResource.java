package io.depot.resources;

import com.codahale.metrics.annotation.Timed;
import io.depot.auth.TenantPrincipal;
import io.depot.core.AssetService;
import io.depot.core.Uuids;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import static java.util.Objects.requireNonNull;

/**
 * Downloads are a redirect to a short-lived presigned URL: the bytes never pass through the JVM.
 * Any Accept header reaches the method, which negotiates it against the asset's own type; errors are JSON whatever it says.
 */
@Path("/api/v1/assets/{id}/content")
@Produces(MediaType.WILDCARD)
public class AssetContentResource
{
    private final AssetService assets;

    public AssetContentResource(AssetService assets)
    {
        this.assets = requireNonNull(assets, "assets is null");
    }

    @GET
    @Timed(name = "content")
    public Response content(@Auth TenantPrincipal principal, @Context HttpHeaders headers, @PathParam("id") String id)
    {
        Accept accept = Accept.of(headers.getRequestHeader(HttpHeaders.ACCEPT));
        CacheControl noStore = new CacheControl();
        noStore.setNoStore(true);
        return Response.status(Response.Status.FOUND)
                .location(assets.downloadUrl(principal.tenant(), Uuids.parse(id, "asset id"), accept::accepts))
                .cacheControl(noStore)
                .build();
    }
}
