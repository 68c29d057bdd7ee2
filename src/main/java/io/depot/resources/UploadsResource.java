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
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/** Direct-to-S3 uploads: Depot hands out a presigned PUT and records what the client promised to send. */
@SecurityRequirement(name = OpenApiContract.BEARER)
@Path("/api/v1/uploads")
@Produces(MediaType.APPLICATION_JSON)
public class UploadsResource
{
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

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
    @Operation(operationId = "announceUpload", summary = "Announce a direct upload and get a presigned PUT to the bucket",
            requestBody = @RequestBody(required = true, content = @Content(schema = @Schema(implementation = UploadRequest.class))))
    @ApiResponse(responseCode = "201", description = "The ticket: PUT the file to its URL with its headers, then POST its /complete.", headers = @Header(
            name = HttpHeaders.LOCATION, description = "The ticket's /complete URL.", required = true, schema = @Schema(types = "string", format = "uri")),
            content = @Content(schema = @Schema(implementation = UploadTicket.class)))
    @ApiResponse(responseCode = "400", description = "A missing or invalid field, or a body that is not JSON.")
    @ApiResponse(responseCode = "413", description = "The announced size is larger than the upload limit.")
    public Response announce(@Parameter(hidden = true) @Auth TenantPrincipal principal, @Context UriInfo uri, @HeaderParam(Idempotency.HEADER) String idempotencyKey,
            @Parameter(hidden = true) UploadRequest request)
    {
        if (request == null) {
            throw new InvalidInputException("a JSON body {\"filename\", \"contentType\", \"size\"} is required");
        }
        String filename = Filenames.validate(request.filename());
        String contentType = MediaTypes.forStoredFile(request.contentType());
        if (request.size() == null || request.size() < 0) {
            throw new InvalidInputException("size must be the file's length in bytes (0 or more)");
        }
        Optional<String> sha256 = Optional.ofNullable(request.sha256()).map(UploadsResource::validSha256);
        // Every field of the request, validated and normalised: a field added to UploadRequest is in the fingerprint too.
        UploadRequest valid = new UploadRequest(filename, contentType, request.size(), sha256.orElse(null));
        return idempotency.run(principal, idempotencyKey, idempotency.fingerprint("POST /api/v1/uploads", valid), () -> {
            AssetService.NewUpload upload = assets.announceUpload(principal.tenant(), filename, contentType, request.size(), sha256);
            UploadTicket ticket = new UploadTicket(upload.id(), upload.presigned().url(), upload.presigned().method(), upload.presigned().headers(),
                    upload.presigned().expiresAt());
            return Response.created(uri.getBaseUriBuilder().path(UploadCompletionResource.class).build(upload.id())).entity(ticket).build();
        });
    }

    private static String validSha256(String sha256)
    {
        if (!SHA256_HEX.matcher(sha256).matches()) {
            throw new InvalidInputException("sha256 must be the file's SHA-256 as 64 hexadecimal digits");
        }
        return sha256.toLowerCase(Locale.ROOT);
    }
}
