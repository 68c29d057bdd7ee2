package io.depot.db.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static io.depot.db.schema.Finding.contract;
import static io.depot.db.schema.Finding.expand;
import static java.util.Objects.requireNonNull;

/**
 * Classifies the SQL of a Liquibase sql change, statement by statement, from its words: what
 * Liquibase's model cannot say for raw SQL (CREATE INDEX CONCURRENTLY, NOT VALID constraints).
 * A statement it does not know counts as a contract, so a person has to vouch for it.
 */
final class SqlClassifier
{
    private final Set<String> newTables;
    private final boolean inTransaction;

    SqlClassifier(Set<String> newTables, boolean inTransaction)
    {
        this.newTables = requireNonNull(newTables, "newTables is null");
        this.inTransaction = inTransaction;
    }

    Finding classify(String sql)
    {
        ChangeKind kind = ChangeKind.EXPAND;
        List<String> descriptions = new ArrayList<>();
        for (List<String> statement : statements(sql == null ? "" : sql)) {
            Finding finding = statement(statement);
            kind = kind.worst(finding.kind());
            descriptions.add(finding.description());
        }
        if (descriptions.isEmpty()) {
            return new Finding(ChangeKind.EXPAND, "sql (empty)");
        }
        return new Finding(kind, "sql " + String.join("; ", descriptions));
    }

    private Finding statement(List<String> words)
    {
        String text = String.join(" ", words);
        String compact = text.replace(" ( ", "(").replace(" ) ", ") ").replace(" )", ")").replace(" , ", ", ");
        String shown = compact.length() > 80 ? compact.substring(0, 77) + "..." : compact;
        Words at = new Words(words);
        if (at.startsWith("create", "table")) {
            newTables.add(at.after("table", "if", "not", "exists"));
            return expand(shown);
        }
        if (at.startsWith("create", "index") || at.startsWith("create", "unique", "index")) {
            String table = at.after("on", "only");
            if (words.contains("concurrently")) {
                return inTransaction
                        ? new Finding(ChangeKind.LOCKING, shown + ": CREATE INDEX CONCURRENTLY cannot run inside a transaction: set runInTransaction=\"false\" on the changeset")
                        : expand(shown);
            }
            return newTables.contains(table)
                    ? expand(shown + " (a table of this changeset)")
                    : new Finding(ChangeKind.LOCKING, shown + ": blocks writes to " + table + " while it builds: CREATE INDEX CONCURRENTLY in a changeset with runInTransaction=\"false\"");
        }
        if (at.startsWith("create") || at.startsWith("comment") || at.startsWith("insert") || at.startsWith("update") || at.startsWith("select") || at.startsWith("set")) {
            return expand(shown);
        }
        if (at.startsWith("alter", "table")) {
            String table = at.after("table", "if", "exists", "only");
            ChangeKind kind = ChangeKind.EXPAND;
            List<String> notes = new ArrayList<>();
            for (List<String> action : at.actionsAfter(table)) {
                Finding finding = alterAction(table, new Words(action));
                kind = kind.worst(finding.kind());
                if (finding.kind() != ChangeKind.EXPAND) {
                    notes.add(finding.description());
                }
            }
            return new Finding(kind, notes.isEmpty() ? shown : shown + ": " + String.join(", ", notes));
        }
        if (at.startsWith("drop") || at.startsWith("delete") || at.startsWith("truncate")) {
            return contract(shown);
        }
        return contract(shown + ": SQL this lint does not know; mark it as a contract step if it is one");
    }

    private Finding alterAction(String table, Words action)
    {
        boolean newTable = newTables.contains(table);
        if (action.startsWith("validate", "constraint")) {
            return expand("validate");
        }
        if (action.startsWith("add") && !action.startsWith("add", "column") && (action.contains("constraint") || action.contains("foreign")
                || action.contains("check") || action.contains("unique") || action.contains("primary"))) {
            if (action.containsSequence("not", "valid") || action.containsSequence("using", "index") || newTable) {
                return expand("constraint");
            }
            return new Finding(ChangeKind.LOCKING, "a constraint checked against every row under lock: add it NOT VALID, then VALIDATE CONSTRAINT in a later changeset");
        }
        if (action.startsWith("add")) {
            if (!newTable && (action.contains("unique") || action.contains("primary") || action.contains("references"))) {
                return new Finding(ChangeKind.LOCKING, "a column with a unique, primary-key or foreign-key constraint built under lock");
            }
            if (action.containsSequence("not", "null") && !action.contains("default")) {
                return contract("NOT NULL without a default: older code inserts rows without it");
            }
            return expand("add column");
        }
        if (action.startsWith("alter")) {
            if (action.containsSequence("set", "default") || action.containsSequence("drop", "not", "null")) {
                return expand("loosened");
            }
            if (action.containsSequence("set", "not", "null")) {
                return contract("NOT NULL on an existing column, which older code may leave empty");
            }
            if (action.containsSequence("drop", "default")) {
                return contract("a dropped default older code may rely on");
            }
            if (action.contains("type")) {
                return contract("a type change older code may not read or write");
            }
        }
        if (action.startsWith("drop")) {
            return contract("a drop older code may still use");
        }
        if (action.startsWith("rename")) {
            return contract("a rename older code does not know");
        }
        return contract("an ALTER TABLE action this lint does not know");
    }

    /** Statements as lists of lower-case words and punctuation, comments and string literals removed. */
    static List<List<String>> statements(String sql)
    {
        List<List<String>> statements = new ArrayList<>();
        List<String> current = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        int index = 0;
        while (index < sql.length()) {
            char c = sql.charAt(index);
            if (c == '-' && sql.startsWith("--", index)) {
                index = end(sql.indexOf('\n', index), sql);
                continue;
            }
            if (c == '/' && sql.startsWith("/*", index)) {
                int close = sql.indexOf("*/", index + 2);
                index = close < 0 ? sql.length() : close + 2;
                continue;
            }
            if (c == '\'') {
                int close = sql.indexOf('\'', index + 1);
                flush(word, current);
                current.add("'...'");
                index = close < 0 ? sql.length() : close + 1;
                continue;
            }
            if (Character.isWhitespace(c) || c == '(' || c == ')' || c == ',' || c == ';') {
                flush(word, current);
                if (c == ';') {
                    if (!current.isEmpty()) {
                        statements.add(current);
                    }
                    current = new ArrayList<>();
                }
                else if (!Character.isWhitespace(c)) {
                    current.add(String.valueOf(c));
                }
            }
            else if (c != '"') {
                word.append(Character.toLowerCase(c));
            }
            index++;
        }
        flush(word, current);
        if (!current.isEmpty()) {
            statements.add(current);
        }
        return statements;
    }

    private static int end(int position, String sql)
    {
        return position < 0 ? sql.length() : position;
    }

    private static void flush(StringBuilder word, List<String> words)
    {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    /** The words of one statement or action, with the few look-ups classification needs. */
    private record Words(List<String> words)
    {
        boolean startsWith(String... prefix)
        {
            if (words.size() < prefix.length) {
                return false;
            }
            for (int index = 0; index < prefix.length; index++) {
                if (!words.get(index).equals(prefix[index])) {
                    return false;
                }
            }
            return true;
        }

        boolean contains(String word)
        {
            return words.contains(word);
        }

        boolean containsSequence(String... sequence)
        {
            return java.util.Collections.indexOfSubList(words, List.of(sequence)) >= 0;
        }

        /** The first word after keyword that is not one of the skipped ones (IF NOT EXISTS, ONLY). */
        String after(String keyword, String... skipped)
        {
            int index = words.indexOf(keyword);
            if (index < 0) {
                return "";
            }
            Set<String> skip = Set.of(skipped);
            for (int next = index + 1; next < words.size(); next++) {
                if (!skip.contains(words.get(next))) {
                    return words.get(next).toLowerCase(Locale.ROOT);
                }
            }
            return "";
        }

        /** ALTER TABLE's comma-separated actions after the table name, commas inside parentheses kept. */
        List<List<String>> actionsAfter(String table)
        {
            List<List<String>> actions = new ArrayList<>();
            List<String> action = new ArrayList<>();
            int depth = 0;
            for (String word : words.subList(Math.min(words.indexOf(table) + 1, words.size()), words.size())) {
                if (word.equals("(")) {
                    depth++;
                }
                else if (word.equals(")")) {
                    depth--;
                }
                if (word.equals(",") && depth == 0) {
                    actions.add(action);
                    action = new ArrayList<>();
                }
                else {
                    action.add(word);
                }
            }
            if (!action.isEmpty()) {
                actions.add(action);
            }
            return actions;
        }
    }
}
