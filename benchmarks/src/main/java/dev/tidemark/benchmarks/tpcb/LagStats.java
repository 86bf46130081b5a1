package dev.tidemark.benchmarks.tpcb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The distribution of the probes' lags, in milliseconds.
 *
 * @param samples probes measured
 * @param p50 median
 * @param p99 99th percentile
 * @param max the largest
 * @param secondsP99 the p99 of the probes of each second of the run, from its first probe: when the slow ones came
 */
public record LagStats(int samples, double p50, double p99, double max, List<Double> secondsP99) {

    public LagStats {
        secondsP99 = List.copyOf(secondsP99);
    }

    /**
     * @param millis the lag of each probe, in the probes' order
     * @param nanos when each probe was taken
     * @param origin the start of the run's first second
     */
    static LagStats of(double[] millis, long[] nanos, long origin) {
        if (millis.length == 0) {
            return new LagStats(0, Double.NaN, Double.NaN, Double.NaN, List.of());
        }
        List<Double> secondsP99 = new ArrayList<>();
        int from = 0;
        while (from < millis.length) {
            long second = (nanos[from] - origin) / 1_000_000_000L;
            int to = from;
            while (to < millis.length && (nanos[to] - origin) / 1_000_000_000L == second) {
                to++;
            }
            secondsP99.add(percentile(sorted(Arrays.copyOfRange(millis, from, to)), 0.99));
            from = to;
        }
        double[] all = sorted(millis.clone());
        return new LagStats(all.length, percentile(all, 0.50), percentile(all, 0.99), all[all.length - 1],
                secondsP99);
    }

    private static double[] sorted(double[] values) {
        Arrays.sort(values);
        return values;
    }

    /** The same rank as the e2e latency's percentiles: the value at floor(p × n). */
    private static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }
}
