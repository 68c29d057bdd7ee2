package io.depot.auth;

import io.depot.resources.ErrorResponses;
import io.dropwizard.auth.UnauthorizedHandler;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/**
 * The 401s, in the API's JSON error shape with a Bearer challenge. A request without a Bearer
 * Authorization header is refused here, before dropwizard-auth's filter, for two reasons: the
 * client learns exactly what is missing, and that filter's fallback to an {@code access_token}
 * query parameter (a token in every access log) is never reached.
 */
@Priority(Priorities.AUTHENTICATION - 100)
public class BearerChallenge
        implements ContainerRequestFilter, UnauthorizedHandler
{
    public static final String SCHEME = "Bearer";
    public static final String REALM = "depot";

    @Override
    public void filter(ContainerRequestContext request)
    {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            throw unauthorized("an Authorization: Bearer <token> header is required");
        }
        if (!header.regionMatches(true, 0, SCHEME + " ", 0, SCHEME.length() + 1)) {
            throw unauthorized("the Authorization header must use the Bearer scheme");
        }
    }

    /** What dropwizard-auth answers when the {@link TokenAuthenticator} finds no active token. */
    @Override
    public Response buildResponse(String prefix, String realm)
    {
        return challenge("the bearer token is not valid or has been revoked").build();
    }

    private static WebApplicationException unauthorized(String message)
    {
        return ErrorResponses.failure(challenge(message));
    }

    private static Response.ResponseBuilder challenge(String message)
    {
        return ErrorResponses.error(401, message).header(HttpHeaders.WWW_AUTHENTICATE, SCHEME + " realm=\"" + REALM + "\"");
    }
}
