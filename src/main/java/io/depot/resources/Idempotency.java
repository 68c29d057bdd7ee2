package io.depot.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.auth.TenantPrincipal;
import io.depot.cache.IdempotencyStore;
import io.depot.core.ConflictException;
import io.depot.core.InvalidInputException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/** Wraps a creating POST so that a retry with the same Idempotency-Key replays the first answer. */
public class Idempotency
{
    public static final String HEADER = "Idempotency-Key";
    private static final Pattern KEY = Pattern.compile("[!-~]{1,255}");

    private final IdempotencyStore store;
    private final ObjectMapper json;

    public Idempotency(IdempotencyStore store, ObjectMapper json)
    {
        this.store = requireNonNull(store, "store is null");
        this.json = requireNonNull(json, "json is null");
    }

    /** {@code fingerprint} identifies the request; the same key with a different request is a client error. */
    public Response run(TenantPrincipal principal, String key, String fingerprint, Supplier<Response> action)
    {
        if (key == null) {
            return action.get();
        }
        if (!KEY.matcher(key).matches()) {
            throw new InvalidInputException(HEADER + " must be 1-255 printable ASCII characters");
        }
        IdempotencyStore.Claim claim = store.claim(principal.tenant(), key, fingerprint);
        if (claim instanceof IdempotencyStore.Claimed claimed) {
            return runClaimed(claimed, fingerprint, action);
        }
        if (claim instanceof IdempotencyStore.Replay replay) {
            return replay(replay.entry());
        }
        if (claim instanceof IdempotencyStore.InProgress) {
            throw new ConflictException("a request with this " + HEADER + " is still in progress");
        }
        if (claim instanceof IdempotencyStore.Mismatch) {
            throw ErrorResponses.failure(ErrorResponses.error(422, "this " + HEADER + " was used for a different request"));
        }
        return action.get();
    }

    private Response runClaimed(IdempotencyStore.Claimed claim, String fingerprint, Supplier<Response> action)
    {
        Response response;
        try {
            response = action.get();
        }
        catch (RuntimeException e) {
            store.release(claim);
            throw e;
        }
        if (response.getStatus() >= 500) {
            store.release(claim);
            return response;
        }
        URI location = response.getLocation();
        store.complete(claim, fingerprint, response.getStatus(), location == null ? null : location.toString(), serialize(response.getEntity()));
        return response;
    }

    private Response replay(IdempotencyStore.Entry entry)
    {
        Response.ResponseBuilder response = Response.status(entry.status()).header("Idempotent-Replayed", "true");
        if (entry.location() != null) {
            response.header(HttpHeaders.LOCATION, entry.location());
        }
        if (entry.body() != null) {
            response.type(MediaType.APPLICATION_JSON_TYPE).entity(entry.body());
        }
        return response.build();
    }

    private String serialize(Object entity)
    {
        if (entity == null) {
            return null;
        }
        try {
            return json.writeValueAsString(entity);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("response entities always serialise", e);
        }
    }
}
