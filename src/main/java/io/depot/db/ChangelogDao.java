package io.depot.db;

import org.jdbi.v3.sqlobject.statement.SqlQuery;

import java.util.List;

public interface ChangelogDao
{
    @SqlQuery("SELECT count(*) > 0 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'databasechangelog'")
    boolean exists();

    @SqlQuery("SELECT id || '::' || author FROM databasechangelog")
    List<String> appliedChangeSets();
}
