package io.depot.cli;

import io.depot.DepotConfiguration;
import io.depot.db.schema.AppliedChangeSet;
import io.depot.db.schema.Changelog;
import io.depot.db.schema.RollbackCheck;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;

/**
 * Before a rollback: can the target release's jar run against the schema as it is now? Compares
 * the changesets the target knows with those applied, and refuses (naming the changeset) when a
 * contract step removed something the target still uses. Run by the newer jar, which knows the
 * changesets the target does not.
 */
public class CheckRollbackCommand
        extends ConfiguredCommand<DepotConfiguration>
{
    public CheckRollbackCommand()
    {
        super("check-rollback", "Refuse a rollback to a release whose schema a contract step has removed");
    }

    @Override
    public void configure(Subparser subparser)
    {
        subparser.addArgument("--target-jar").required(true).metavar("JAR").help("the jar of the release to roll back to");
        subparser.addArgument("--force").action(Arguments.storeTrue()).help("report what is unsafe, but exit 0");
        super.configure(subparser);
    }

    @Override
    protected void run(Bootstrap<DepotConfiguration> bootstrap, Namespace namespace, DepotConfiguration configuration)
            throws Exception
    {
        Path targetJar = Path.of(namespace.getString("target_jar"));
        String targetName = "release " + version(targetJar).orElse(targetJar.toString());
        Changelog target = Changelog.fromJar(targetJar);
        List<AppliedChangeSet> applied;
        try (CommandDatabase database = new CommandDatabase(configuration)) {
            applied = AppliedChangeSet.read(database.jdbi());
        }
        RollbackCheck.Verdict verdict = new RollbackCheck(Changelog.fromClasspath(), target, targetName).judge(applied);
        if (verdict.safe()) {
            System.out.println("rollback to " + targetName + " is safe: " + (verdict.beyondTarget().isEmpty()
                    ? "it knows every applied changeset"
                    : verdict.beyondTarget().size() + " changeset(s) beyond it, none removes what it uses: " + String.join(", ", verdict.beyondTarget())));
            return;
        }
        if (namespace.getBoolean("force")) {
            verdict.refusals().forEach(refusal -> System.out.println("forced past: " + refusal));
            System.out.println("rollback to " + targetName + " forced: it may fail on the schema as it is");
            return;
        }
        throw new IllegalArgumentException("refusing rollback to " + targetName + ": " + String.join("; ", verdict.refusals())
                + ". Roll forward instead, or pass --force if you know it is safe");
    }

    private static Optional<String> version(Path jar)
    {
        try (JarFile file = new JarFile(jar.toFile())) {
            return Optional.ofNullable(file.getManifest()).map(manifest -> manifest.getMainAttributes().getValue("Implementation-Version"));
        }
        catch (IOException e) {
            throw new IllegalArgumentException(jar + ": not a jar (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable error)
    {
        CommandErrors.report(cli, getName(), error);
    }
}
