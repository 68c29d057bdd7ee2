package io.depot.db.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Expand, then contract, enforced on a changelog. Every changeset names the release it ships
 * in (label release:VERSION), in release order. An expand passes. A change that locks a table
 * for the length of a scan or a build never passes. A contract passes only when it is marked
 * as the contract step of an earlier expand (label contract:EXPAND_ID) and ships in a later
 * release than that expand: the release of the expand is the one whose code stopped relying on
 * the old shape, so every release still running during the contract's rollout copes without it.
 */
public final class MigrationLint
{
    private final Changelog changelog;

    public MigrationLint(Changelog changelog)
    {
        this.changelog = requireNonNull(changelog, "changelog is null");
    }

    /** One line per problem, each naming the changelog file and the changeset; empty when it passes. */
    public List<String> problems()
    {
        List<String> problems = new ArrayList<>();
        String lastRelease = null;
        List<ClassifiedChangeSet> earlier = new ArrayList<>();
        for (ClassifiedChangeSet changeSet : changelog.changeSets()) {
            List<String> found = new ArrayList<>();
            if (changeSet.release().isEmpty()) {
                found.add("no release label: add labels=\"release:VERSION\" naming the release it ships in");
            }
            else if (lastRelease != null && Releases.ORDER.compare(changeSet.release().get(), lastRelease) < 0) {
                found.add("release " + changeSet.release().get() + " after a changeset of release " + lastRelease + ": changesets are appended in release order");
            }
            changeSet.findings().stream()
                    .filter(finding -> finding.kind() == ChangeKind.LOCKING)
                    .forEach(finding -> found.add("locks the table: " + finding.description()));
            if (changeSet.kind() == ChangeKind.CONTRACT) {
                contract(changeSet, earlier).ifPresent(found::add);
            }
            for (String problem : found) {
                problems.add(changelog.source() + ": changeset " + changeSet.key() + ": " + problem);
            }
            lastRelease = changeSet.release().orElse(lastRelease);
            earlier.add(changeSet);
        }
        return problems;
    }

    private static Optional<String> contract(ClassifiedChangeSet changeSet, List<ClassifiedChangeSet> earlier)
    {
        String changes = contractFindings(changeSet);
        if (changeSet.contractOf().isEmpty()) {
            return Optional.of("contract change (" + changes + ") is not marked as the contract step of an earlier expand: "
                    + "add labels=\"contract:EXPAND_CHANGESET_ID\" and ship it a release after that expand");
        }
        String expandId = changeSet.contractOf().get();
        Optional<ClassifiedChangeSet> expand = earlier.stream().filter(candidate -> candidate.id().equalsIgnoreCase(expandId)).findFirst();
        if (expand.isEmpty()) {
            return Optional.of("marked contract:" + expandId + " but no earlier changeset has the id " + expandId);
        }
        Optional<String> expandRelease = expand.get().release();
        Optional<String> release = changeSet.release();
        if (expandRelease.isPresent() && release.isPresent() && Releases.ORDER.compare(release.get(), expandRelease.get()) <= 0) {
            return Optional.of("contract change (" + changes + ") ships in release " + release.get() + ", the release of its expand "
                    + expand.get().key() + " (" + expandRelease.get() + "): it must ship in a later release, once no running release uses the old shape");
        }
        return Optional.empty();
    }

    private static String contractFindings(ClassifiedChangeSet changeSet)
    {
        return String.join("; ", changeSet.findings().stream().filter(finding -> finding.kind() == ChangeKind.CONTRACT).map(Finding::description).toList());
    }
}
