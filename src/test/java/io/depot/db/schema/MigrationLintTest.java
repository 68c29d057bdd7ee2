package io.depot.db.schema;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each unsafe change fails the lint with a message naming the file and the changeset; safe ones pass. */
class MigrationLintTest
{
    private static final Path FIXTURES = Path.of(System.getProperty("depot.repository", "."), "src/test/resources/migration-lint");

    @Test
    void dropColumnIsAnUnmarkedContract()
    {
        assertOneProblem("drop-column.xml", "2-drop-note::test", "dropColumn items.note", "not marked as the contract step");
    }

    @Test
    void renameIsAnUnmarkedContract()
    {
        assertOneProblem("rename-column.xml", "2-rename-name::test", "renameColumn items.name to title", "not marked as the contract step");
    }

    @Test
    void notNullOnAnExistingColumnIsAnUnmarkedContract()
    {
        assertOneProblem("not-null.xml", "2-note-required::test", "addNotNullConstraint items.note", "not marked as the contract step");
    }

    @Test
    void notNullColumnWithoutDefaultIsAnUnmarkedContract()
    {
        assertOneProblem("add-not-null-column.xml", "2-add-owner::test", "items.owner NOT NULL without a default", "not marked as the contract step");
    }

    @Test
    void sqlSetNotNullIsAnUnmarkedContract()
    {
        assertOneProblem("sql-contract.xml", "2-sql-changes::test", "NOT NULL on an existing column", "not marked as the contract step");
    }

    @Test
    void narrowedTypeIsAnUnmarkedContract()
    {
        assertOneProblem("type-change.xml", "2-shorter-name::test", "modifyDataType items.name varchar(255) -> varchar(64)", "not marked as the contract step");
    }

    @Test
    void indexOnAnExistingTableMustBeConcurrent()
    {
        assertOneProblem("non-concurrent-index.xml", "2-index-name::test", "createIndex items_name on items blocks writes", "CONCURRENTLY");
    }

    @Test
    void concurrentIndexMustRunOutsideATransaction()
    {
        assertOneProblem("concurrent-index-in-transaction.xml", "2-index-name::test", "cannot run inside a transaction", "runInTransaction=\"false\"");
    }

    @Test
    void contractInTheReleaseOfItsExpandFails()
    {
        assertOneProblem("contract-same-release.xml", "3-drop-name::test", "ships in release 1.1.0, the release of its expand 2-add-title::test", "later release");
    }

    @Test
    void wellFormedExpandPasses()
    {
        Changelog changelog = fixture("expand.xml");
        assertThat(new MigrationLint(changelog).problems()).isEmpty();
        assertThat(changelog.changeSets()).extracting(ClassifiedChangeSet::kind).containsOnly(ChangeKind.EXPAND);
        assertThat(changelog.changeSets()).hasSize(5);
    }

    @Test
    void markedContractOneReleaseLaterPasses()
    {
        Changelog changelog = fixture("contract-later-release.xml");
        assertThat(new MigrationLint(changelog).problems()).isEmpty();
        ClassifiedChangeSet contract = changelog.changeSets().get(2);
        assertThat(contract.kind()).isEqualTo(ChangeKind.CONTRACT);
        assertThat(contract.contractOf()).contains("2-add-title");
    }

    @Test
    void depotsOwnChangelogPasses()
    {
        Changelog changelog = Changelog.fromClasspath();
        assertThat(changelog.changeSets()).isNotEmpty();
        assertThat(new MigrationLint(changelog).problems()).isEmpty();
    }

    @Test
    void releasesCompareByNumber()
    {
        assertThat(Releases.ORDER.compare("1.10.0", "1.9.3")).isPositive();
        assertThat(Releases.ORDER.compare("1.2.0", "1.2.0")).isZero();
        assertThat(Releases.ORDER.compare("1.2", "1.2.1")).isNegative();
    }

    private static void assertOneProblem(String file, String changeSet, String... fragments)
    {
        List<String> problems = new MigrationLint(fixture(file)).problems();
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).contains(FIXTURES.resolve(file).toString()).contains("changeset " + changeSet + ":").contains(fragments);
    }

    private static Changelog fixture(String file)
    {
        return Changelog.fromFile(FIXTURES.resolve(file));
    }
}
