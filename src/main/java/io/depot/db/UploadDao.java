package io.depot.db;

import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/** Direct-to-S3 uploads announced by POST /uploads and not yet completed. */
public interface UploadDao
{
    /** {@code sha256} is null when the client announced none. */
    record PendingUpload(UUID id, String tenant, String filename, String contentType, long size, String sha256, String objectKey, Instant expiresAt) {}

    @SqlUpdate("INSERT INTO uploads (id, tenant, filename, content_type, size, sha256, object_key, created_at, expires_at) "
            + "VALUES (:id, :tenant, :filename, :contentType, :size, :sha256, :objectKey, now(), :expiresAt)")
    void insert(@Bind("id") UUID id, @Bind("tenant") String tenant, @Bind("filename") String filename, @Bind("contentType") String contentType,
            @Bind("size") long size, @Bind("sha256") String sha256, @Bind("objectKey") String objectKey, @Bind("expiresAt") OffsetDateTime expiresAt);

    @SqlQuery("SELECT id, tenant, filename, content_type, size, sha256, object_key, expires_at FROM uploads WHERE tenant = :tenant AND id = :id")
    @org.jdbi.v3.sqlobject.config.RegisterConstructorMapper(PendingUpload.class)
    Optional<PendingUpload> find(@Bind("tenant") String tenant, @Bind("id") UUID id);

    /**
     * Takes the ticket for one /complete for {@code leaseSeconds}, unless another holds it: empty
     * when there is no such ticket or it is claimed. One statement, so two claims cannot both win.
     */
    @SqlQuery("UPDATE uploads SET claimed_until = now() + :leaseSeconds * interval '1 second' WHERE tenant = :tenant AND id = :id AND (claimed_until IS NULL OR claimed_until < now()) "
            + "RETURNING id, tenant, filename, content_type, size, sha256, object_key, expires_at")
    @org.jdbi.v3.sqlobject.config.RegisterConstructorMapper(PendingUpload.class)
    Optional<PendingUpload> claim(@Bind("tenant") String tenant, @Bind("id") UUID id, @Bind("leaseSeconds") long leaseSeconds);

    @SqlUpdate("UPDATE uploads SET claimed_until = NULL WHERE id = :id")
    void release(@Bind("id") UUID id);

    /** Whether this call removed the ticket: false when a concurrent /complete already did. */
    @SqlUpdate("DELETE FROM uploads WHERE id = :id")
    boolean delete(@Bind("id") UUID id);


    @SqlUpdate("DELETE FROM uploads WHERE expires_at < :before")
    int deleteExpired(@Bind("before") OffsetDateTime before);
}
