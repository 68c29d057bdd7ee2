package io.depot.db.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Whether a release can run against the schema the database has now. Each changeset applied
 * beyond what the target release knows is judged: an expand leaves everything the target uses
 * in place; a contract step removed the old shape, which the target still uses unless it already
 * knows the expand that step completes (it then shipped the code that moved off the old shape).
 * The changeset's kind comes from the newest changelog at hand that knows it, else from the
 * labels Liquibase stored with it.
 */
public final class RollbackCheck
{
    private final Changelog current;
    private final Changelog target;
    private final String targetName;

    public RollbackCheck(Changelog current, Changelog target, String targetName)
    {
        this.current = requireNonNull(current, "current is null");
        this.target = requireNonNull(target, "target is null");
        this.targetName = requireNonNull(targetName, "targetName is null");
    }

    public record Verdict(List<String> beyondTarget, List<String> refusals)
    {
        public Verdict
        {
            beyondTarget = List.copyOf(beyondTarget);
            refusals = List.copyOf(refusals);
        }

        public boolean safe()
        {
            return refusals.isEmpty();
        }
    }

    public Verdict judge(List<AppliedChangeSet> applied)
    {
        Set<String> targetKeys = target.changeSets().stream().map(ClassifiedChangeSet::key).collect(Collectors.toSet());
        Set<String> appliedKeys = applied.stream().map(AppliedChangeSet::key).collect(Collectors.toSet());
        List<String> beyond = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        for (AppliedChangeSet changeSet : applied) {
            if (targetKeys.contains(changeSet.key())) {
                continue;
            }
            Optional<ClassifiedChangeSet> known = current.find(changeSet.key());
            ChangeKind kind = known.map(ClassifiedChangeSet::kind).orElse(changeSet.contractOf().isPresent() ? ChangeKind.CONTRACT : ChangeKind.EXPAND);
            Optional<String> contractOf = known.map(ClassifiedChangeSet::contractOf).orElse(changeSet.contractOf());
            String what = known.map(ClassifiedChangeSet::summary).orElse("");
            beyond.add(changeSet.key() + " (" + (kind == ChangeKind.CONTRACT ? "contract" : "expand") + ")");
            if (kind != ChangeKind.CONTRACT) {
                continue;
            }
            if (contractOf.isEmpty()) {
                refusals.add("changeset " + changeSet.key() + " is a contract change" + detail(what) + " not marked with the expand it completes, so "
                        + targetName + " may need what it removed");
            }
            else if (!knowsId(contractOf.get())) {
                refusals.add("changeset " + changeSet.key() + " is the contract step of " + contractOf.get() + detail(what) + "; "
                        + targetName + " predates that expand and still uses what the contract removed");
            }
        }
        for (ClassifiedChangeSet changeSet : target.changeSets()) {
            if (!appliedKeys.contains(changeSet.key())) {
                refusals.add("changeset " + changeSet.key() + " of " + targetName + " is not applied: it would never get ready (run its db migrate first)");
            }
        }
        return new Verdict(beyond, refusals);
    }

    private boolean knowsId(String id)
    {
        return target.changeSets().stream().anyMatch(changeSet -> changeSet.id().equalsIgnoreCase(id));
    }

    private static String detail(String what)
    {
        return what.isEmpty() ? "" : " (" + what + ")";
    }
}
