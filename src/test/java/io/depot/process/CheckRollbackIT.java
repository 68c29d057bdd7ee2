package io.depot.process;

import io.depot.testing.TestStack;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `check-rollback` run by the newer release's jar against the real database: across an expand it
 * lets the rollback through; across a contract whose expand the target predates it refuses,
 * naming the changeset; --force reports and exits 0.
 */
class CheckRollbackIT
{
    private static final String EXPAND = """
                <changeSet id="rollback-it-expand" author="depot-test" labels="release:99.1.0">
                    <addColumn tableName="assets"><column name="rollback_it_label" type="varchar(80)"/></addColumn>
                </changeSet>
            """;
    private static final String CONTRACT = """
                <changeSet id="rollback-it-contract" author="depot-test" labels="release:99.2.0, contract:rollback-it-expand">
                    <dropColumn tableName="assets" columnName="content_type"/>
                </changeSet>
            """;

    @TempDir
    Path directory;

    private Path releaseN;
    private Path releaseN1;
    private Path releaseN2;
    private Map<String, String> database;

    @BeforeEach
    void releases()
    {
        releaseN = DepotJar.jar();
        releaseN1 = DepotJar.withChangeSets(directory, EXPAND);
        releaseN2 = DepotJar.withChangeSets(directory, EXPAND + CONTRACT);
        database = Map.of("DEPOT_DB_URL", TestStack.get().createDatabase("rollback"));
    }

    @Test
    void rollbackAcrossAnExpandProceeds()
    {
        migrate(releaseN1);
        CommandResult check = DepotJar.run(releaseN1, database, "check-rollback", "--target-jar", releaseN.toString(), DepotJar.config());
        assertThat(check.exitCode()).as("%s", check).isZero();
        assertThat(check.stdout()).as("%s", check).contains("is safe").contains("rollback-it-expand::depot-test (expand)");
    }

    @Test
    void rollbackAcrossAContractIsRefusedNamingTheChangeSet()
    {
        migrate(releaseN2);
        CommandResult check = DepotJar.run(releaseN2, database, "check-rollback", "--target-jar", releaseN.toString(), DepotJar.config());
        assertThat(check.exitCode()).as("%s", check).isNotZero();
        assertThat(check.stderr()).as("%s", check)
                .contains("refusing rollback to release")
                .contains("changeset rollback-it-contract::depot-test is the contract step of rollback-it-expand")
                .contains("dropColumn assets.content_type")
                .contains("--force")
                .doesNotContain("at io.");

        CommandResult forced = DepotJar.run(releaseN2, database, "check-rollback", "--force", "--target-jar", releaseN.toString(), DepotJar.config());
        assertThat(forced.exitCode()).as("%s", forced).isZero();
        assertThat(forced.stdout()).as("%s", forced).contains("forced past: changeset rollback-it-contract::depot-test");
    }

    @Test
    void rollbackToTheReleaseOfTheExpandProceedsAfterItsContract()
    {
        migrate(releaseN2);
        CommandResult check = DepotJar.run(releaseN2, database, "check-rollback", "--target-jar", releaseN1.toString(), DepotJar.config());
        assertThat(check.exitCode()).as("%s", check).isZero();
        assertThat(check.stdout()).as("%s", check).contains("is safe");
    }

    @Test
    void olderJarRefusesFromTheStoredLabelsAlone()
    {
        // A host still on N+1 while the database already has N+2's contract: N+1's jar does not
        // know the contract changeset, the labels Liquibase stored with it tell what it is.
        migrate(releaseN2);
        CommandResult check = DepotJar.run(releaseN1, database, "check-rollback", "--target-jar", releaseN.toString(), DepotJar.config());
        assertThat(check.exitCode()).as("%s", check).isNotZero();
        assertThat(check.stderr()).as("%s", check).contains("changeset rollback-it-contract::depot-test is the contract step of rollback-it-expand");
    }

    private void migrate(Path release)
    {
        CommandResult migrated = DepotJar.run(release, database, "db", "migrate", DepotJar.config());
        assertThat(migrated.exitCode()).as("%s", migrated).isZero();
    }
}
