package io.depot.db;

import io.depot.api.Asset;
import org.jdbi.v3.core.Handle;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The statements every read runs, on a plain handle. {@link AssetDao} as a SQL object builds a
 * handler for each of its methods on every attach, which JFR showed as a third of a list request's
 * time in the database code; the statements themselves stay in AssetDao, where QueryPlansTest checks them.
 */
public final class AssetReads
{
    private static final AssetMapper MAPPER = new AssetMapper();

    private AssetReads() {}

    public static Optional<Asset> find(Handle handle, String tenant, UUID id)
    {
        return handle.createQuery(AssetDao.FIND).bind("tenant", tenant).bind("id", id).map(MAPPER).findOne();
    }

    public static List<Asset> newest(Handle handle, String tenant, int limit)
    {
        return handle.createQuery(AssetDao.NEWEST).bind("tenant", tenant).bind("limit", limit).map(MAPPER).list();
    }

    public static List<Asset> olderThan(Handle handle, String tenant, OffsetDateTime createdAt, UUID id, int limit)
    {
        return handle.createQuery(AssetDao.OLDER_THAN).bind("tenant", tenant).bind("createdAt", createdAt).bind("id", id).bind("limit", limit)
                .map(MAPPER).list();
    }
}
