package io.depot.db;

import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.util.List;

/** Object deletions that must happen eventually: written in the same transaction that removes the row. */
public interface OutboxDao
{
    @SqlUpdate("INSERT INTO object_deletions (object_key, attempts, next_attempt_at, created_at) VALUES (:key, 0, now(), now()) "
            + "ON CONFLICT (object_key) DO NOTHING")
    void enqueue(@Bind("key") String objectKey);

    // SKIP LOCKED lets every instance run the worker without two of them taking the same key.
    @SqlQuery("SELECT object_key FROM object_deletions WHERE next_attempt_at <= now() ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED")
    List<String> lockDue(@Bind("limit") int limit);

    @SqlUpdate("DELETE FROM object_deletions WHERE object_key = :key")
    void done(@Bind("key") String objectKey);

    @SqlUpdate("UPDATE object_deletions SET attempts = attempts + 1, last_error = :error, "
            + "next_attempt_at = now() + least(interval '1 hour', interval '10 seconds' * power(2, attempts)) WHERE object_key = :key")
    void failed(@Bind("key") String objectKey, @Bind("error") String error);
}
