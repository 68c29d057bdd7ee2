package io.depot.db.schema;

/** What a change does to the code already running against the schema, from safest to most dangerous. */
public enum ChangeKind
{
    /** Only adds: the running release and the previous one keep working. */
    EXPAND,
    /** Removes or narrows something an older release may still read or write. */
    CONTRACT,
    /** Holds a lock that stalls the serving fleet for as long as it takes on a full table. */
    LOCKING;

    public String label()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public ChangeKind worst(ChangeKind other)
    {
        return other.ordinal() > ordinal() ? other : this;
    }
}
