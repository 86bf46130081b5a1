package dev.tidemark.chaos;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which kinds of source change the writer makes. {@code default} is all of them; a run can name a subset
 * ({@code -Dchaos.ops=insert,transfer,key-change}) to chase a finding.
 */
enum Ops {
    INSERT, PARTIAL_UPDATE, FULL_UPDATE, DELETE, TRANSFER, LARGE_TRANSACTION, TRUNCATE,
    /** Primary-key changes, keeping the TOASTed column (the {@code move} change type). */
    KEY_CHANGE,
    /** Rows in {@code items} before capture starts (per-table snapshots at the history's start). */
    PREEXISTING_ROWS,
    /** ADD (with a default), RENAME and DROP COLUMN on {@code items} during the run (each a table refresh). */
    SCHEMA_CHANGE;

    static final Set<Ops> DEFAULT = EnumSet.allOf(Ops.class);

    static Set<Ops> parse(String text) {
        Set<Ops> ops = EnumSet.noneOf(Ops.class);
        for (String name : text.split(",")) {
            String trimmed = name.trim().toLowerCase(Locale.ROOT);
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.equals("default")) {
                ops.addAll(DEFAULT);
            } else {
                try {
                    ops.add(Ops.valueOf(trimmed.replace('-', '_').toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("unknown chaos.ops entry '" + name + "'; known: default, "
                            + Arrays.stream(values()).map(o -> o.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                            .collect(Collectors.joining(", ")), e);
                }
            }
        }
        return ops;
    }
}
