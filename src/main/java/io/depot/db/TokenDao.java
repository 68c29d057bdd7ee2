package io.depot.db;

import io.depot.api.ApiToken;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

@org.jdbi.v3.sqlobject.config.RegisterConstructorMapper(ApiToken.class)
public interface TokenDao
{
    @SqlUpdate("INSERT INTO api_tokens (id, tenant, name, token_hash, requests_per_window, created_at) VALUES (:id, :tenant, :name, :hash, :requestsPerWindow, now())")
    void insert(@Bind("id") UUID id, @Bind("tenant") String tenant, @Bind("name") String name, @Bind("hash") String hash,
            @Bind("requestsPerWindow") OptionalInt requestsPerWindow);

    @SqlQuery("SELECT id, tenant, name, requests_per_window, created_at, revoked_at FROM api_tokens WHERE token_hash = :hash AND revoked_at IS NULL")
    Optional<ApiToken> findActive(@Bind("hash") String hash);

    @SqlQuery("SELECT id, tenant, name, requests_per_window, created_at, revoked_at FROM api_tokens WHERE (:tenant IS NULL OR tenant = :tenant) ORDER BY tenant, created_at")
    List<ApiToken> list(@Bind("tenant") String tenant);

    @SqlUpdate("UPDATE api_tokens SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL")
    int revoke(@Bind("id") UUID id);
}
