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
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Wraps a creating POST so that a retry with the same Idempotency-Key replays the first answer.
 * A retry is the same request only if everything the request says is the same: its fingerprint
 * (method, route and every parameter) and, for a streamed upload, the body's SHA-256. Anything
 * else under a used key is a 422, never a replay of an answer meant for other bytes.
 */
public class Idempotency
{
    public static final String HEADER = "Idempotency-Key";
    /** 1-255 printable ASCII characters; the OpenAPI document states the same pattern. */
    static final String KEY_PATTERN = "[!-~]{1,255}";
    private static final Pattern KEY = Pattern.compile(KEY_PATTERN);

    private final IdempotencyStore store;
    private final ObjectMapper json;

    public Idempotency(IdempotencyStore store, ObjectMapper json)
    {
        this.store = requireNonNull(store, "store is null");
        this.json = requireNonNull(json, "json is null");
    }

    /** The SHA-256 of a retry's body: the one the client declares, or else measured by reading the body to its end without keeping it. */
    @FunctionalInterface
    public interface RetryBody
    {
        String sha256();
    }

    /** What the first request produced: its response, and the SHA-256 of the body it consumed. */
    public record Outcome(Response response, String bodySha256) {}

    /** The fingerprint of a request from its parts (route, parameters, records), unambiguous whatever characters they hold. */
    public String fingerprint(Object... parts)
    {
        return serialize(List.of(parts));
    }

    /** For requests whose whole content is in {@code fingerprint}; the same key with a different request is a client error. */
    public Response run(TenantPrincipal principal, String key, String fingerprint, Supplier<Response> action)
    {
        return run(principal, key, fingerprint, null, () -> new Outcome(action.get(), null));
    }

    /** For a streamed body that the fingerprint leaves out: a retry's body is compared by {@code retryBody}, read only once the rest matched. */
    public Response run(TenantPrincipal principal, String key, String fingerprint, RetryBody retryBody, Supplier<Outcome> action)
    {
        if (key == null) {
            return action.get().response();
        }
        IdempotencyStore.Claim claim = store.claim(principal.tenant(), wellFormedKey(key), fingerprint);
        if (claim instanceof IdempotencyStore.Claimed claimed) {
            return runClaimed(claimed, fingerprint, action);
        }
        if (claim instanceof IdempotencyStore.Replay replay) {
            rejectDifferentBody(replay.entry(), retryBody);
            return replay(replay.entry());
        }
        if (claim instanceof IdempotencyStore.InProgress) {
            throw new ConflictException("a request with this " + HEADER + " is still in progress");
        }
        if (claim instanceof IdempotencyStore.Mismatch) {
            throw ErrorResponses.failure(ErrorResponses.error(422, "this " + HEADER + " was used for a request with other parameters; use a new key for a new request"));
        }
        return action.get().response();
    }

    static String wellFormedKey(String key)
    {
        if (!KEY.matcher(key).matches()) {
            throw new InvalidInputException(HEADER + " must be 1-255 printable ASCII characters");
        }
        return key;
    }

    private static void rejectDifferentBody(IdempotencyStore.Entry entry, RetryBody retryBody)
    {
        if (entry.bodySha256() == null) {
            return;
        }
        String retried = retryBody.sha256();
        if (!entry.bodySha256().equals(retried)) {
            throw ErrorResponses.failure(ErrorResponses.error(422, "this " + HEADER + " was used for a different body: the first request's SHA-256 "
                    + "was %s, this one's is %s; send the same bytes to retry, or use a new key for a new file".formatted(entry.bodySha256(), retried)));
        }
    }

    private Response runClaimed(IdempotencyStore.Claimed claim, String fingerprint, Supplier<Outcome> action)
    {
        Outcome outcome;
        try {
            outcome = action.get();
        }
        catch (RuntimeException e) {
            store.release(claim);
            throw e;
        }
        Response response = outcome.response();
        if (response.getStatus() >= 500) {
            store.release(claim);
            return response;
        }
        URI location = response.getLocation();
        store.complete(claim, fingerprint, outcome.bodySha256(), response.getStatus(), location == null ? null : location.toString(),
                serialize(response.getEntity()));
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
            throw new IllegalStateException("response entities and fingerprints always serialise", e);
        }
    }
}
