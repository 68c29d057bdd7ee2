package io.depot.cli;

import io.depot.db.schema.Changelog;
import io.depot.db.schema.ClassifiedChangeSet;
import io.depot.db.schema.MigrationLint;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Classifies every changeset (expand, contract, locking) from Liquibase's parsed changelog and
 * fails on what would break a running fleet. Needs no configuration and no database.
 */
public class LintMigrationsCommand
        extends Command
{
    public LintMigrationsCommand()
    {
        super("lint-migrations", "Classify each changeset as expand, contract or locking and refuse unsafe ones");
    }

    @Override
    public void configure(Subparser subparser)
    {
        subparser.addArgument("--markdown").action(Arguments.storeTrue()).help("print the classification as a Markdown table");
        subparser.addArgument("changelogs").nargs("*").metavar("CHANGELOG")
                .help("changelog files to check (default: the " + Changelog.FILE + " inside this jar)");
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace)
    {
        List<String> files = namespace.getList("changelogs");
        List<Changelog> changelogs = files.isEmpty()
                ? List.of(Changelog.fromClasspath())
                : files.stream().map(file -> Changelog.fromFile(Path.of(file))).toList();
        boolean markdown = namespace.getBoolean("markdown");
        List<String> problems = new ArrayList<>();
        for (Changelog changelog : changelogs) {
            print(System.out, changelog, markdown);
            problems.addAll(new MigrationLint(changelog).problems());
        }
        if (!problems.isEmpty()) {
            problems.forEach(System.err::println);
            throw new IllegalArgumentException(problems.size() + " unsafe changeset(s); see the README's section on schema changes");
        }
    }

    private static void print(PrintStream out, Changelog changelog, boolean markdown)
    {
        if (markdown) {
            out.println("| kind | changeset | release | changes |");
            out.println("| --- | --- | --- | --- |");
        }
        for (ClassifiedChangeSet changeSet : changelog.changeSets()) {
            String kind = changeSet.kind().label() + changeSet.contractOf().map(expand -> " of " + expand).orElse("");
            String release = changeSet.release().orElse("-");
            if (markdown) {
                out.printf("| %s | `%s` | %s | %s |%n", kind, changeSet.key(), release, changeSet.summary().replace("|", "\\|"));
            }
            else {
                out.printf("%-8s %s %s (release %s): %s%n", kind, changelog.source(), changeSet.key(), release, changeSet.summary());
            }
        }
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable error)
    {
        CommandErrors.report(cli, getName(), error);
    }
}
