package dev.tidemark.benchmarks.bench;

import java.util.Locale;

/**
 * One line of the benchmark table: a measured figure beside its baseline of the same run.
 *
 * @param hop the hop that measured it ({@code store}, {@code capture}, ...)
 * @param name what was measured, as the table prints it
 * @param value the measured value, in {@code unit}
 * @param unit {@code changes/s}, {@code tx/s}, {@code ms}, {@code µs}, {@code KB} or {@code MB}
 * @param baseline the baseline's value in the same unit, or NaN when the figure has none
 * @param baselineName what the baseline is, or empty
 * @param target the target of issue 13, as text
 */
public record Figure(String hop, String name, double value, String unit, double baseline, String baselineName,
                     String target) {

    /** A figure without a baseline. */
    static Figure alone(String hop, String name, double value, String unit, String target) {
        return new Figure(hop, name, value, unit, Double.NaN, "", target);
    }

    /** {@code value ÷ baseline}, or NaN without a baseline. */
    public double ratio() {
        return !Double.isFinite(baseline) || !Double.isFinite(value) || baseline == 0 ? Double.NaN : value / baseline;
    }

    String valueText() {
        return format(value, unit);
    }

    String baselineText() {
        return !Double.isFinite(baseline) ? "—" : format(baseline, unit) + " (" + baselineName + ")";
    }

    String ratioText() {
        return Double.isNaN(ratio()) ? "—" : String.format(Locale.ROOT, "%.2f", ratio());
    }

    static String format(double value, String unit) {
        if (!Double.isFinite(value)) {
            return "—";
        }
        String number = Math.abs(value) >= 100 || unit.endsWith("/s")
                ? String.format(Locale.ROOT, "%,.0f", value)
                : Math.abs(value) >= 10 ? String.format(Locale.ROOT, "%.1f", value)
                : String.format(Locale.ROOT, "%.2f", value);
        return unit.isEmpty() ? number : number + " " + unit;
    }
}
