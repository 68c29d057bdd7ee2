package io.depot.db;

import io.depot.api.Asset;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@RegisterRowMapper(AssetMapper.class)
public interface AssetDao
{
    String COLUMNS = "id, filename, content_type, size, sha256, created_at";

    @SqlUpdate("INSERT INTO assets (id, tenant, filename, content_type, size, sha256, object_key, created_at) "
            + "VALUES (:id, :tenant, :filename, :contentType, :size, :sha256, :objectKey, :createdAt)")
    void insert(@Bind("id") UUID id, @Bind("tenant") String tenant, @Bind("filename") String filename, @Bind("contentType") String contentType,
            @Bind("size") long size, @Bind("sha256") String sha256, @Bind("objectKey") String objectKey, @Bind("createdAt") OffsetDateTime createdAt);

    @SqlQuery("SELECT " + COLUMNS + " FROM assets WHERE tenant = :tenant AND id = :id")
    Optional<Asset> find(@Bind("tenant") String tenant, @Bind("id") UUID id);

    @SqlQuery("SELECT " + COLUMNS + " FROM assets WHERE tenant = :tenant ORDER BY created_at DESC, id DESC LIMIT :limit")
    List<Asset> newest(@Bind("tenant") String tenant, @Bind("limit") int limit);

    // Keyset pagination: the row-value comparison walks the (tenant, created_at, id) index, no OFFSET.
    @SqlQuery("SELECT " + COLUMNS + " FROM assets WHERE tenant = :tenant AND (created_at, id) < (:createdAt, :id) "
            + "ORDER BY created_at DESC, id DESC LIMIT :limit")
    List<Asset> olderThan(@Bind("tenant") String tenant, @Bind("createdAt") OffsetDateTime createdAt, @Bind("id") UUID id, @Bind("limit") int limit);

    @SqlQuery("DELETE FROM assets WHERE tenant = :tenant AND id = :id RETURNING object_key")
    Optional<String> delete(@Bind("tenant") String tenant, @Bind("id") UUID id);

    /**
     * The keys an asset or a pending upload refers to, decided by one statement (one snapshot): a
     * /complete that moves a key from uploads to assets is seen on one side or the other, never
     * on neither.
     */
    @SqlQuery("SELECT key FROM unnest(:keys) AS key WHERE EXISTS (SELECT 1 FROM assets WHERE object_key = key) "
            + "OR EXISTS (SELECT 1 FROM uploads WHERE object_key = key)")
    List<String> referencedObjectKeys(@Bind("keys") String[] keys);
}
