package io.depot.storage;

import io.depot.core.MediaTypes;
import io.depot.testing.TestStack;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which refusals of S3 are the request's fault (a client error) and which mean object storage is unavailable to Depot. */
class ObjectStoreErrorsTest
{
    private static final byte[] CONTENT = "refused or not".getBytes(StandardCharsets.UTF_8);

    @Test
    void anUploadTheBucketRefusesForItsHeadersIsRejectedNotUnavailable()
    {
        try (ObjectStore objects = new ObjectStore(storage(TestStack.get().environment().get("DEPOT_S3_BUCKET")))) {
            // S3Proxy's Jetty rewrites this spelling of a well-known type after the SDK signed it: S3Proxy answers 403 SignatureDoesNotMatch.
            assertThatThrownBy(() -> put(objects, "text/plain; charset=utf-8"))
                    .isInstanceOfSatisfying(ObjectRejectedException.class, e -> assertThat(e.errorCode()).isEqualTo("SignatureDoesNotMatch"));
            // The canonical form Depot signs goes through.
            StoredObject stored = put(objects, MediaTypes.canonical("text/plain; charset=utf-8"));
            assertThat(stored.size()).isEqualTo(CONTENT.length);
            objects.delete(stored.key());
        }
    }

    @Test
    void aMissingBucketIsAnOutage()
    {
        try (ObjectStore objects = new ObjectStore(storage("no-such-bucket-" + UUID.randomUUID()))) {
            assertThatThrownBy(() -> put(objects, "image/png")).isInstanceOf(StorageUnavailableException.class);
        }
    }

    @Test
    void refusalsOfWhatTheRequestCarriedAreTheRequests()
    {
        for (String code : new String[] {"InvalidArgument", "InvalidRequest", "BadDigest", "MetadataTooLarge", "EntityTooLarge"}) {
            assertThat(ObjectStore.causedByTheRequest(error(400, code))).as(code).isTrue();
        }
        assertThat(ObjectStore.causedByTheRequest(error(403, "SignatureDoesNotMatch"))).isTrue();
    }

    @Test
    void credentialsBucketClockAndServerFailuresAreAnOutage()
    {
        for (Map.Entry<String, Integer> refusal : Map.of("AccessDenied", 403, "InvalidAccessKeyId", 403, "NoSuchBucket", 404, "RequestTimeTooSkewed", 403,
                "RequestTimeout", 400, "InternalError", 500, "SlowDown", 503).entrySet()) {
            assertThat(ObjectStore.causedByTheRequest(error(refusal.getValue(), refusal.getKey()))).as(refusal.getKey()).isFalse();
        }
        assertThat(ObjectStore.causedByTheRequest(error(503, "InvalidArgument"))).as("only a 4xx").isFalse();
        assertThat(ObjectStore.causedByTheRequest((S3Exception) S3Exception.builder().statusCode(403).build())).as("no error code").isFalse();
    }

    private static StoredObject put(ObjectStore objects, String contentType)
    {
        return objects.put("tests/" + UUID.randomUUID(), contentType, new ByteArrayInputStream(CONTENT), new byte[1 << 20], () -> null, 1024, Optional.empty(), bytes -> {});
    }

    static StorageConfiguration storage(String bucket)
    {
        Map<String, String> environment = TestStack.get().environment();
        StorageConfiguration storage = new StorageConfiguration();
        storage.setBucket(bucket);
        storage.setRegion(environment.get("DEPOT_S3_REGION"));
        storage.setEndpoint(environment.get("DEPOT_S3_ENDPOINT"));
        storage.setPathStyle(Boolean.parseBoolean(environment.get("DEPOT_S3_PATH_STYLE")));
        return storage;
    }

    private static S3Exception error(int status, String code)
    {
        return (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("refused").build()).build();
    }
}
