package io.depot.resources;

import com.codahale.metrics.annotation.Timed;
import io.depot.api.Asset;
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
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.util.UUID;

import static java.util.Objects.requireNonNull;

/** Confirms a direct upload: the object must exist with the announced size before it becomes an asset. */
@SecurityRequirement(name = OpenApiContract.BEARER)
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
    @Operation(operationId = "completeUpload", summary = "Turn a direct upload into an asset once its object is in the bucket")
    @ApiResponse(responseCode = "201", description = "The asset.", headers = @Header(name = HttpHeaders.LOCATION, description = "The asset's URL.", required = true,
            schema = @Schema(types = "string", format = "uri")), content = @Content(schema = @Schema(implementation = Asset.class)))
    @ApiResponse(responseCode = "400", description = "The id is not a UUID, or the object's SHA-256 differs from the announced one (the object was removed; the ticket "
            + "stays valid for the right bytes).")
    @ApiResponse(responseCode = "404", description = "No such upload for this tenant.")
    @ApiResponse(responseCode = "409", description = "Nothing was uploaded yet, the size differs (the object was removed), or another /complete of the ticket is running.")
    @ApiResponse(responseCode = "410", description = "The ticket has expired, whatever was uploaded.")
    public Response complete(@Parameter(hidden = true) @Auth TenantPrincipal principal, @Context UriInfo uri, @HeaderParam(Idempotency.HEADER) String idempotencyKey,
            @Parameter(description = "The ticket's uploadId.", schema = @Schema(format = "uuid")) @PathParam("uploadId") String uploadId)
    {
        UUID id = Uuids.parse(uploadId, "upload id");
        return idempotency.run(principal, idempotencyKey, "POST complete " + id, () -> {
            Asset asset = assets.completeUpload(principal.tenant(), id);
            return Response.created(uri.getBaseUriBuilder().path(AssetResource.class).build(asset.id())).entity(asset).build();
        });
    }
}
