package io.depot.db.schema;

import static java.util.Objects.requireNonNull;

/** One change of a changeset, classified, with what it does in words a reviewer reads. */
public record Finding(ChangeKind kind, String description)
{
    public Finding
    {
        requireNonNull(kind, "kind is null");
        requireNonNull(description, "description is null");
    }

    static Finding expand(String description)
    {
        return new Finding(ChangeKind.EXPAND, description);
    }

    static Finding contract(String description)
    {
        return new Finding(ChangeKind.CONTRACT, description);
    }

    @Override
    public String toString()
    {
        return description;
    }
}
