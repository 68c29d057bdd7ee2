package io.depot.db;

import io.depot.api.Asset;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.UUID;

public class AssetMapper
        implements RowMapper<Asset>
{
    @Override
    public Asset map(ResultSet row, StatementContext context)
            throws SQLException
    {
        return new Asset(
                row.getObject("id", UUID.class),
                row.getString("filename"),
                row.getString("content_type"),
                row.getLong("size"),
                row.getString("sha256"),
                row.getObject("created_at", OffsetDateTime.class).toInstant());
    }
}
