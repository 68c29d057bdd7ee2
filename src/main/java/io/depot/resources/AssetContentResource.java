package io.depot.resources;

import com.codahale.metrics.annotation.Timed;
import io.depot.auth.TenantPrincipal;
import io.depot.core.AssetService;
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
@SecurityRequirement(name = OpenApiContract.BEARER)
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
    @Operation(operationId = "downloadAsset", summary = "Download an asset's bytes",
            description = "A redirect to a short-lived presigned GET of the bucket, with a safe Content-Disposition: attachment. Accept is honoured: the asset's type, "
                    + "its type/* and */* serve it as that type (types a browser would render or run as application/octet-stream), application/octet-stream "
                    + "serves any asset as bytes, anything else is 406.")
    @ApiResponse(responseCode = "302", description = "The presigned URL of the bytes.", headers = {
            @Header(name = HttpHeaders.LOCATION, description = "The presigned GET; valid for a few minutes.", required = true, schema = @Schema(types = "string", format = "uri")),
            @Header(name = HttpHeaders.CACHE_CONTROL, description = "no-store: the URL expires, so no cache keeps it.", required = true,
                    schema = @Schema(types = "string", pattern = "no-store"))})
    @ApiResponse(responseCode = "400", description = "The id is not a UUID.")
    @ApiResponse(responseCode = "404", description = "No such asset for this tenant.")
    @ApiResponse(responseCode = "406", description = "Accept allows neither the asset's type nor application/octet-stream.")
    public Response content(@Parameter(hidden = true) @Auth TenantPrincipal principal, @Context HttpHeaders headers,
            @Parameter(description = "The asset's id.", schema = @Schema(format = "uuid")) @PathParam("id") String id)
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
