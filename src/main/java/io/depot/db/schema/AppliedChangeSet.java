package io.depot.db.schema;

import org.jdbi.v3.core.Jdbi;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** A row of Liquibase's changelog table: what the database has applied, with the labels it was applied with. */
public record AppliedChangeSet(String id, String author, String labels)
{
    public AppliedChangeSet
    {
        requireNonNull(id, "id is null");
        requireNonNull(author, "author is null");
        requireNonNull(labels, "labels is null");
    }

    /** In the order they were applied; none when the database was never migrated. */
    public static List<AppliedChangeSet> read(Jdbi jdbi)
    {
        return jdbi.withHandle(handle -> {
            boolean exists = handle.createQuery("SELECT count(*) > 0 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'databasechangelog'")
                    .mapTo(Boolean.class).one();
            if (!exists) {
                return List.of();
            }
            return handle.createQuery("SELECT id, author, coalesce(labels, '') AS labels FROM databasechangelog ORDER BY orderexecuted")
                    .map((row, context) -> new AppliedChangeSet(row.getString("id"), row.getString("author"), row.getString("labels")))
                    .list();
        });
    }

    public String key()
    {
        return id + "::" + author;
    }

    /** The expand this changeset was applied as the contract step of, from its stored labels. */
    public Optional<String> contractOf()
    {
        return Arrays.stream(labels.split(","))
                .map(String::trim)
                .filter(label -> label.toLowerCase(Locale.ROOT).startsWith(ChangeClassifier.CONTRACT_LABEL))
                .map(label -> label.substring(ChangeClassifier.CONTRACT_LABEL.length()).trim())
                .findFirst();
    }
}
