package io.depot.db.schema;

import liquibase.change.AddColumnConfig;
import liquibase.change.Change;
import liquibase.change.ColumnConfig;
import liquibase.change.ConstraintsConfig;
import liquibase.change.AbstractSQLChange;
import liquibase.change.core.AddColumnChange;
import liquibase.change.core.AddDefaultValueChange;
import liquibase.change.core.AddForeignKeyConstraintChange;
import liquibase.change.core.AddNotNullConstraintChange;
import liquibase.change.core.AddPrimaryKeyChange;
import liquibase.change.core.AddUniqueConstraintChange;
import liquibase.change.core.CreateIndexChange;
import liquibase.change.core.CreateSequenceChange;
import liquibase.change.core.CreateTableChange;
import liquibase.change.core.CreateViewChange;
import liquibase.change.core.DeleteDataChange;
import liquibase.change.core.DropColumnChange;
import liquibase.change.core.DropDefaultValueChange;
import liquibase.change.core.DropNotNullConstraintChange;
import liquibase.change.core.EmptyChange;
import liquibase.change.core.InsertDataChange;
import liquibase.change.core.ModifyDataTypeChange;
import liquibase.change.core.OutputChange;
import liquibase.change.core.RenameColumnChange;
import liquibase.change.core.RenameTableChange;
import liquibase.change.core.SQLFileChange;
import liquibase.change.core.SetColumnRemarksChange;
import liquibase.change.core.SetTableRemarksChange;
import liquibase.change.core.TagDatabaseChange;
import liquibase.change.core.UpdateDataChange;
import liquibase.changelog.ChangeSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.depot.db.schema.Finding.contract;
import static io.depot.db.schema.Finding.expand;

/**
 * Classifies each change of a changelog from Liquibase's parsed model. Walks the changelog in
 * order, so it knows each column's declared type (a type change can be told from a widening)
 * and which tables a changeset creates itself (an index on those cannot stall anyone).
 */
final class ChangeClassifier
{
    static final String RELEASE_LABEL = "release:";
    static final String CONTRACT_LABEL = "contract:";

    private final Map<String, String> columnTypes = new HashMap<>();

    List<ClassifiedChangeSet> classify(List<ChangeSet> changeSets)
    {
        List<ClassifiedChangeSet> classified = new ArrayList<>();
        for (ChangeSet changeSet : changeSets) {
            Set<String> newTables = new HashSet<>();
            List<Finding> findings = new ArrayList<>();
            for (Change change : changeSet.getChanges()) {
                findings.add(classify(change, newTables, changeSet.isRunInTransaction()));
            }
            classified.add(new ClassifiedChangeSet(changeSet.getId(), changeSet.getAuthor(),
                    label(changeSet, RELEASE_LABEL), label(changeSet, CONTRACT_LABEL), changeSet.isRunInTransaction(), findings));
        }
        return classified;
    }

    private static Optional<String> label(ChangeSet changeSet, String prefix)
    {
        if (changeSet.getLabels() == null) {
            return Optional.empty();
        }
        return changeSet.getLabels().getLabels().stream()
                .filter(label -> label.toLowerCase(Locale.ROOT).startsWith(prefix))
                .map(label -> label.substring(prefix.length()).trim())
                .findFirst();
    }

    private Finding classify(Change change, Set<String> newTables, boolean inTransaction)
    {
        if (change instanceof CreateTableChange create) {
            newTables.add(name(create.getTableName()));
            for (ColumnConfig column : create.getColumns()) {
                columnTypes.put(column(create.getTableName(), column.getName()), type(column.getType()));
            }
            return expand("createTable " + create.getTableName());
        }
        if (change instanceof AddColumnChange add) {
            return addColumns(add);
        }
        if (change instanceof CreateIndexChange index) {
            String what = "createIndex " + index.getIndexName() + " on " + index.getTableName();
            return newTables.contains(name(index.getTableName()))
                    ? expand(what + " (a table of this changeset)")
                    : new Finding(ChangeKind.LOCKING, what + " blocks writes while it builds: use <sql>CREATE INDEX CONCURRENTLY</sql> in a changeset with runInTransaction=\"false\"");
        }
        if (change instanceof AddForeignKeyConstraintChange foreignKey) {
            String what = "addForeignKeyConstraint " + foreignKey.getConstraintName() + " on " + foreignKey.getBaseTableName();
            if (Boolean.FALSE.equals(foreignKey.getValidate()) || newTables.contains(name(foreignKey.getBaseTableName()))) {
                return expand(what);
            }
            return new Finding(ChangeKind.LOCKING, what + " validates every row under lock: add it with validate=\"false\" (NOT VALID), then VALIDATE CONSTRAINT in a later changeset");
        }
        if (change instanceof AddUniqueConstraintChange unique) {
            return lockingUnlessNew(newTables, unique.getTableName(), "addUniqueConstraint " + unique.getConstraintName() + " on " + unique.getTableName(),
                    "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX");
        }
        if (change instanceof AddPrimaryKeyChange primaryKey) {
            return lockingUnlessNew(newTables, primaryKey.getTableName(), "addPrimaryKey on " + primaryKey.getTableName(),
                    "CREATE UNIQUE INDEX CONCURRENTLY, then ADD PRIMARY KEY USING INDEX");
        }
        if (change instanceof AddDefaultValueChange addDefault) {
            return expand("addDefaultValue " + addDefault.getTableName() + "." + addDefault.getColumnName());
        }
        if (change instanceof DropNotNullConstraintChange dropNotNull) {
            return expand("dropNotNullConstraint " + dropNotNull.getTableName() + "." + dropNotNull.getColumnName());
        }
        if (change instanceof AddNotNullConstraintChange notNull) {
            return contract("addNotNullConstraint " + notNull.getTableName() + "." + notNull.getColumnName() + ": NOT NULL on an existing column, which older code may leave empty");
        }
        if (change instanceof DropDefaultValueChange dropDefault) {
            return contract("dropDefaultValue " + dropDefault.getTableName() + "." + dropDefault.getColumnName() + ": older code may rely on the default");
        }
        if (change instanceof DropColumnChange drop) {
            return contract("dropColumn " + drop.getTableName() + "." + droppedColumns(drop));
        }
        if (change instanceof RenameColumnChange rename) {
            String type = columnTypes.remove(column(rename.getTableName(), rename.getOldColumnName()));
            if (type != null) {
                columnTypes.put(column(rename.getTableName(), rename.getNewColumnName()), type);
            }
            return contract("renameColumn " + rename.getTableName() + "." + rename.getOldColumnName() + " to " + rename.getNewColumnName());
        }
        if (change instanceof RenameTableChange rename) {
            return contract("renameTable " + rename.getOldTableName() + " to " + rename.getNewTableName());
        }
        if (change instanceof ModifyDataTypeChange modify) {
            return modifyDataType(modify);
        }
        if (change instanceof AbstractSQLChange sql && !(change instanceof SQLFileChange)) {
            return new SqlClassifier(newTables, inTransaction).classify(sql.getSql());
        }
        if (change instanceof CreateSequenceChange || change instanceof CreateViewChange || change instanceof InsertDataChange
                || change instanceof UpdateDataChange || change instanceof TagDatabaseChange || change instanceof EmptyChange
                || change instanceof OutputChange || change instanceof SetTableRemarksChange || change instanceof SetColumnRemarksChange) {
            return expand(change.getSerializedObjectName());
        }
        if (change instanceof DeleteDataChange delete) {
            return contract("delete from " + delete.getTableName());
        }
        // Every other drop, rename and anything this lint does not know: a person must say it is safe.
        return contract(change.getSerializedObjectName() + " (" + change.getConfirmationMessage() + ")");
    }

    private Finding addColumns(AddColumnChange add)
    {
        ChangeKind kind = ChangeKind.EXPAND;
        List<String> notes = new ArrayList<>();
        for (AddColumnConfig column : add.getColumns()) {
            columnTypes.put(column(add.getTableName(), column.getName()), type(column.getType()));
            ConstraintsConfig constraints = column.getConstraints();
            String name = add.getTableName() + "." + column.getName();
            if (constraints != null && (Boolean.TRUE.equals(constraints.isUnique()) || Boolean.TRUE.equals(constraints.isPrimaryKey()) || constraints.getReferences() != null || constraints.getReferencedTableName() != null)) {
                kind = kind.worst(ChangeKind.LOCKING);
                notes.add(name + " with a unique, primary-key or foreign-key constraint builds or validates under lock: add the column, then the index concurrently or the constraint NOT VALID");
            }
            else if (constraints != null && Boolean.FALSE.equals(constraints.isNullable()) && !column.hasDefaultValue()) {
                kind = kind.worst(ChangeKind.CONTRACT);
                notes.add(name + " NOT NULL without a default: older code inserts rows without it");
            }
            else {
                notes.add(name + (column.hasDefaultValue() ? " with a default" : " nullable"));
            }
        }
        return new Finding(kind, "addColumn " + String.join(", ", notes));
    }

    private Finding modifyDataType(ModifyDataTypeChange modify)
    {
        String key = column(modify.getTableName(), modify.getColumnName());
        String before = columnTypes.get(key);
        String after = type(modify.getNewDataType());
        columnTypes.put(key, after);
        String what = "modifyDataType " + modify.getTableName() + "." + modify.getColumnName() + " " + (before == null ? "?" : before) + " -> " + after;
        if (before != null && widens(before, after)) {
            return expand(what + " (widened)");
        }
        return contract(what + ": older code may write values the new type refuses, or read a type it does not expect");
    }

    /** Widenings PostgreSQL does without a rewrite and that no reader or writer notices. */
    static boolean widens(String before, String after)
    {
        if (after.equals("text") || after.equals("varchar")) {
            return before.startsWith("varchar") || before.equals("text");
        }
        if (before.startsWith("varchar(") && after.startsWith("varchar(")) {
            return length(after) >= length(before);
        }
        return false;
    }

    private static int length(String type)
    {
        try {
            return Integer.parseInt(type.substring(type.indexOf('(') + 1, type.indexOf(')')).trim());
        }
        catch (RuntimeException e) {
            return -1;
        }
    }

    private static String type(String declared)
    {
        if (declared == null) {
            return "?";
        }
        String type = declared.toLowerCase(Locale.ROOT).replace(" ", "");
        return type.startsWith("charactervarying") ? "varchar" + type.substring("charactervarying".length()) : type;
    }

    private static String droppedColumns(DropColumnChange drop)
    {
        if (drop.getColumnName() != null) {
            return drop.getColumnName();
        }
        return String.join(",", drop.getColumns().stream().map(ColumnConfig::getName).toList());
    }

    private static Finding lockingUnlessNew(Set<String> newTables, String table, String what, String instead)
    {
        if (newTables.contains(name(table))) {
            return expand(what + " (a table of this changeset)");
        }
        return new Finding(ChangeKind.LOCKING, what + " builds its index under lock: " + instead);
    }

    private static String column(String table, String column)
    {
        return name(table) + "." + name(column);
    }

    static String name(String identifier)
    {
        return identifier == null ? "" : identifier.toLowerCase(Locale.ROOT).replace("\"", "");
    }
}
