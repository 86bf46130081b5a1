package dev.tidemark.chaos;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What one seeded run found. It passes when nothing was lost, duplicated, divergent or out of order, the
 * invariant always held, every client caught up and verified on the server's latest history (a lost slot must start
 * a new one), and the server never crashed.
 */
record RunResult(long seed, Path directory, Map<Fault, Integer> faults, long changesChecked, int lost,
                 int duplicated, int divergent, int outOfOrder, int invariantBreaks, int samples,
                 int serverCrashes, int unexpectedServerExits, int notCaughtUp, int verifyFailures,
                 int historyProblems, boolean modelMatchesSource, List<String> problems, long millis) {

    RunResult {
        faults = new EnumMap<>(faults.isEmpty() ? new EnumMap<Fault, Integer>(Fault.class) : faults);
        problems = List.copyOf(problems);
    }

    boolean passed() {
        return lost == 0 && duplicated == 0 && divergent == 0 && outOfOrder == 0 && invariantBreaks == 0
                && serverCrashes == 0 && notCaughtUp == 0 && verifyFailures == 0 && historyProblems == 0
                && modelMatchesSource;
    }

    int faultCount() {
        return faults.values().stream().mapToInt(Integer::intValue).sum();
    }

    String line() {
        return String.format("chaos run seed=%d %s: %d faults, %,d changes checked, lost=%d duplicated=%d divergent=%d"
                        + " out-of-order=%d invariant=%d not-caught-up=%d verify-failures=%d history=%d server-crashes=%d"
                        + " model=%s samples=%d in %.1fs (%s)",
                seed, passed() ? "PASSED" : "FAILED", faultCount(), changesChecked, lost, duplicated, divergent,
                outOfOrder, invariantBreaks, notCaughtUp, verifyFailures, historyProblems, serverCrashes,
                modelMatchesSource ? "exact" : "DIFFERS", samples, millis / 1000.0, directory);
    }
}
