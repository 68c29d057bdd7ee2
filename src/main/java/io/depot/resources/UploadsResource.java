package io.depot.resources;

import com.codahale.metrics.annotation.Timed;
import io.depot.api.UploadRequest;
import io.depot.api.UploadTicket;
import io.depot.auth.TenantPrincipal;
import io.depot.core.AssetService;
import io.depot.core.Filenames;
import io.depot.core.InvalidInputException;
import io.depot.core.MediaTypes;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import static java.util.Objects.requireNonNull;

/** Direct-to-S3 uploads: Depot hands out a presigned PUT and records what the client promised to send. */
@Path("/api/v1/uploads")
@Produces(MediaType.APPLICATION_JSON)
public class UploadsResource
{
    private final AssetService assets;
    private final Idempotency idempotency;

    public UploadsResource(AssetService assets, Idempotency idempotency)
    {
        this.assets = requireNonNull(assets, "assets is null");
        this.idempotency = requireNonNull(idempotency, "idempotency is null");
    }

    @POST
    @Timed(name = "announce-upload")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response announce(@Auth TenantPrincipal principal, @Context UriInfo uri, @HeaderParam(Idempotency.HEADER) String idempotencyKey, UploadRequest request)
    {
        if (request == null) {
            throw new InvalidInputException("a JSON body {\"filename\", \"contentType\", \"size\"} is required");
        }
        String filename = Filenames.validate(request.filename());
        String contentType = MediaTypes.forStoredFile(request.contentType());
        if (request.size() == null || request.size() < 0) {
            throw new InvalidInputException("size must be the file's length in bytes (0 or more)");
        }
        String fingerprint = "POST /api/v1/uploads " + filename + " " + contentType + " " + request.size();
        return idempotency.run(principal, idempotencyKey, fingerprint, () -> {
            AssetService.NewUpload upload = assets.announceUpload(principal.tenant(), filename, contentType, request.size());
            UploadTicket ticket = new UploadTicket(upload.id(), upload.presigned().url(), upload.presigned().method(), upload.presigned().headers(),
                    upload.presigned().expiresAt());
            return Response.created(uri.getBaseUriBuilder().path(UploadCompletionResource.class).build(upload.id())).entity(ticket).build();
        });
    }
}
