package io.depot.db.schema;

import liquibase.Scope;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.resource.ResourceAccessor;
import liquibase.resource.ZipResourceAccessor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A changelog as Liquibase itself parses it (the same parser `db migrate` uses), with every
 * changeset classified. It comes from a file (the lint), a release's jar (the rollback check)
 * or this jar's classpath.
 */
public final class Changelog
{
    public static final String FILE = "migrations.xml";

    private final String source;
    private final List<ClassifiedChangeSet> changeSets;

    private Changelog(String source, List<ClassifiedChangeSet> changeSets)
    {
        this.source = requireNonNull(source, "source is null");
        this.changeSets = List.copyOf(changeSets);
    }

    public static Changelog fromFile(Path file)
    {
        Path absolute = file.toAbsolutePath();
        if (!Files.isRegularFile(absolute)) {
            throw new IllegalArgumentException(file + ": no such changelog");
        }
        try (DirectoryResourceAccessor accessor = new DirectoryResourceAccessor(absolute.getParent())) {
            return parse(file.toString(), absolute.getFileName().toString(), accessor);
        }
        catch (IllegalArgumentException e) {
            throw e;
        }
        catch (Exception e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The changelog inside a release's jar, which need not be the running one. */
    public static Changelog fromJar(Path jar)
    {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + ": no such jar");
        }
        try (ZipResourceAccessor accessor = new ZipResourceAccessor(jar)) {
            return parse(jar + "!/" + FILE, FILE, accessor);
        }
        catch (IllegalArgumentException e) {
            throw e;
        }
        catch (Exception e) {
            throw new IllegalArgumentException(jar + ": " + e.getMessage(), e);
        }
    }

    public static Changelog fromClasspath()
    {
        try (ClassLoaderResourceAccessor accessor = new ClassLoaderResourceAccessor(Changelog.class.getClassLoader())) {
            return parse(FILE, FILE, accessor);
        }
        catch (IllegalArgumentException e) {
            throw e;
        }
        catch (Exception e) {
            throw new IllegalStateException("cannot read " + FILE + " from the classpath", e);
        }
    }

    private static Changelog parse(String source, String file, ResourceAccessor accessor)
            throws Exception
    {
        DatabaseChangeLog changelog = Scope.child(Map.of(Scope.Attr.resourceAccessor.name(), accessor), () ->
                ChangeLogParserFactory.getInstance().getParser(file, accessor).parse(file, new ChangeLogParameters(), accessor));
        List<ChangeSet> changeSets = changelog.getChangeSets();
        return new Changelog(source, new ChangeClassifier().classify(changeSets));
    }

    /** Where it came from, as a reviewer would look for it: a path, or jar!/migrations.xml. */
    public String source()
    {
        return source;
    }

    public List<ClassifiedChangeSet> changeSets()
    {
        return changeSets;
    }

    public Optional<ClassifiedChangeSet> find(String key)
    {
        return changeSets.stream().filter(changeSet -> changeSet.key().equals(key)).findFirst();
    }
}
