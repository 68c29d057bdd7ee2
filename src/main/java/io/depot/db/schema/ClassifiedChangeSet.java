package io.depot.db.schema;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A changeset as the lint and the rollback check see it: its identity (as Liquibase's changelog
 * table keys it), the release it ships in, the expand it completes when marked as a contract
 * step, and each of its changes classified.
 */
public record ClassifiedChangeSet(String id, String author, Optional<String> release, Optional<String> contractOf, boolean runInTransaction, List<Finding> findings)
{
    public ClassifiedChangeSet
    {
        requireNonNull(id, "id is null");
        requireNonNull(author, "author is null");
        requireNonNull(release, "release is null");
        requireNonNull(contractOf, "contractOf is null");
        findings = List.copyOf(requireNonNull(findings, "findings is null"));
    }

    /** "id::author", as the readiness check and Liquibase's changelog table name it. */
    public String key()
    {
        return id + "::" + author;
    }

    public ChangeKind kind()
    {
        return findings.stream().map(Finding::kind).reduce(ChangeKind.EXPAND, ChangeKind::worst);
    }

    public String summary()
    {
        return String.join("; ", findings.stream().map(Finding::description).toList());
    }
}
