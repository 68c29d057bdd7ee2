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

    @SqlUpdate("DELETE FROM uploads WHERE id = :id")
    void delete(@Bind("id") UUID id);


    @SqlUpdate("DELETE FROM uploads WHERE expires_at < :before")
    int deleteExpired(@Bind("before") OffsetDateTime before);
}
