package dev.tidemark.chaos;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Sums of many runs, printed as the table the long form ends with. */
final class Totals {

    private final Map<Fault, Long> faults = new EnumMap<>(Fault.class);
    private final List<Long> failedSeeds = new ArrayList<>();
    private int runs;
    private long changes;
    private long lost;
    private long duplicated;
    private long divergent;
    private long outOfOrder;
    private long invariantBreaks;
    private long samples;
    private long serverCrashes;
    private long unexpectedServerExits;
    private long notCaughtUp;
    private long verifyFailures;
    private long historyProblems;
    private long modelMismatches;
    private long badInputs;
    private long badInputFailures;

    synchronized void add(RunResult run) {
        runs++;
        run.faults().forEach((fault, count) -> faults.merge(fault, (long) count, Long::sum));
        changes += run.changesChecked();
        lost += run.lost();
        duplicated += run.duplicated();
        divergent += run.divergent();
        outOfOrder += run.outOfOrder();
        invariantBreaks += run.invariantBreaks();
        samples += run.samples();
        serverCrashes += run.serverCrashes();
        unexpectedServerExits += run.unexpectedServerExits();
        notCaughtUp += run.notCaughtUp();
        verifyFailures += run.verifyFailures();
        historyProblems += run.historyProblems();
        modelMismatches += run.modelMatchesSource() ? 0 : 1;
        if (!run.passed()) {
            failedSeeds.add(run.seed());
        }
    }

    synchronized void addBadInputs(long inputs, long failures) {
        badInputs += inputs;
        badInputFailures += failures;
    }

    synchronized long faultTotal() {
        return faults.values().stream().mapToLong(Long::longValue).sum();
    }

    synchronized List<Long> failedSeeds() {
        return List.copyOf(failedSeeds);
    }

    synchronized String table() {
        StringBuilder out = new StringBuilder();
        out.append("\n=== Tidemark chaos totals ===\n");
        row(out, "runs", runs);
        row(out, "runs failed", failedSeeds.size());
        row(out, "faults", faultTotal());
        for (Fault fault : Fault.values()) {
            row(out, "  " + fault.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), faults.getOrDefault(fault, 0L));
        }
        row(out, "changes checked", changes);
        row(out, "store samples", samples);
        row(out, "lost", lost);
        row(out, "duplicated", duplicated);
        row(out, "divergent", divergent);
        row(out, "out of order", outOfOrder);
        row(out, "invariant breaks", invariantBreaks);
        row(out, "not caught up", notCaughtUp);
        row(out, "verify failures", verifyFailures);
        row(out, "history (lost slot, no resync)", historyProblems);
        row(out, "model != source", modelMismatches);
        row(out, "server crashes (OOM, hs_err)", serverCrashes);
        row(out, "server exits not caused", unexpectedServerExits);
        row(out, "bad inputs", badInputs);
        row(out, "bad inputs mishandled", badInputFailures);
        if (!failedSeeds.isEmpty()) {
            out.append("failed seeds: ").append(failedSeeds).append('\n');
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String name, long value) {
        out.append(String.format("%-32s %,12d%n", name, value));
    }
}
