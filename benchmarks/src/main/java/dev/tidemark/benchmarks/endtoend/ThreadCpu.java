package dev.tidemark.benchmarks.endtoend;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * CPU time of this JVM's threads over a stretch of a benchmark, per thread group (a thread's name with its
 * digits as {@code #}, so the client's transport and the server's event loops are told apart), and of the
 * embedded PostgreSQL's processes by role (walsender, backends, autovacuum, checkpointer...): what each part of the pipeline costs per change, where a sampling
 * profiler under-samples busy threads and does not see PostgreSQL at all.
 */
final class ThreadCpu {

    /** Linux's clock ticks per second of {@code /proc/PID/stat} (USER_HZ, 100 on every mainstream kernel). */
    private static final double TICKS_PER_SECOND = 100;
    /** The key of the ticks of the postmaster's reaped children. */
    private static final long REAPED = -1;
    private static final java.util.List<String> KNOWN_ROLES = java.util.List.of("walsender", "autovacuum worker",
            "autovacuum launcher", "checkpointer", "background writer", "walwriter", "logical replication",
            "io worker");

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> start = new HashMap<>();
    private final Path postgresData;
    private final Map<Long, Long> postgresStart;

    private ThreadCpu(Path postgresData) {
        this.postgresData = postgresData;
        this.postgresStart = postgresTicks(postgresData);
    }

    /** Starts counting from now; {@code postgresData}: the data directory of the PostgreSQL to count too. */
    static ThreadCpu start(Path postgresData) {
        ThreadCpu cpu = new ThreadCpu(postgresData);
        for (long id : cpu.threads.getAllThreadIds()) {
            long nanos = cpu.threads.getThreadCpuTime(id);
            if (nanos >= 0) {
                cpu.start.put(id, nanos);
            }
        }
        return cpu;
    }

    /** CPU nanoseconds per thread group since {@link #start()}, largest first (threads gone since are not counted). */
    Map<String, Long> byGroup() {
        Map<String, Long> groups = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long nanos = threads.getThreadCpuTime(info.getThreadId());
            if (nanos < 0) {
                continue;
            }
            long used = nanos - start.getOrDefault(info.getThreadId(), 0L);
            groups.merge(info.getThreadName().replaceAll("\\d+", "#"), used, Long::sum);
        }
        Map<Long, Long> postgres = postgresTicks(postgresData);
        for (Map.Entry<Long, Long> process : postgres.entrySet()) {
            long used = process.getValue() - postgresStart.getOrDefault(process.getKey(), 0L);
            if (used > 0) {
                groups.merge("postgres " + role(process.getKey()), Math.round(used / TICKS_PER_SECOND * 1e9), Long::sum);
            }
        }
        return groups.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /**
     * CPU ticks (user and system) of the PostgreSQL running on {@code data}, per process: its postmaster (with
     * the children it has reaped, under the key -1) and every live process below it; empty where there is no
     * {@code /proc} or no such process.
     */
    private static Map<Long, Long> postgresTicks(Path data) {
        Optional<ProcessHandle> postmaster = ProcessHandle.allProcesses()
                .filter(process -> process.info().arguments().map(args -> String.join(" ", args))
                        .filter(args -> args.contains(data.toString())).isPresent()
                        && process.info().command().map(command -> command.endsWith("/postgres")).orElse(false))
                .findFirst();
        Map<Long, Long> ticks = new HashMap<>();
        if (postmaster.isEmpty()) {
            return ticks;
        }
        long pid = postmaster.get().pid();
        ticks.put(pid, ticks(pid, false));
        ticks.put(REAPED, ticks(pid, true) - ticks(pid, false));
        for (ProcessHandle child : postmaster.get().descendants().toList()) {
            ticks.put(child.pid(), Math.max(0, ticks(child.pid(), false)));
        }
        return ticks;
    }

    /**
     * What a PostgreSQL process does, from the title it sets ({@code postgres: walsender ...}, {@code postgres:
     * autovacuum worker}, {@code postgres: USER DB HOST(PORT) STATE} for a client's backend): the walsender and the
     * background processes by name, every client connection as "backend".
     */
    private static String role(long pid) {
        if (pid == REAPED) {
            return "(exited processes)";
        }
        try {
            String title = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ').trim();
            if (!title.startsWith("postgres: ")) {
                return "postmaster";
            }
            String what = title.substring("postgres: ".length());
            for (String known : KNOWN_ROLES) {
                if (what.startsWith(known)) {
                    return known;
                }
            }
            return "backend";
        } catch (IOException | RuntimeException e) {
            return "(exited processes)";
        }
    }

    /** utime + stime (+ cutime + cstime) of {@code /proc/PID/stat}, or 0 when it cannot be read. */
    private static long ticks(long pid, boolean withReaped) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return withReaped ? ticks + Long.parseLong(fields[13]) + Long.parseLong(fields[14]) : ticks;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The groups above 1 % of the total, as "group 1.23 µs" per change of {@code changes}. */
    String perChange(long changes) {
        Map<String, Long> groups = byGroup();
        long total = groups.values().stream().mapToLong(Long::longValue).sum();
        return groups.entrySet().stream().filter(group -> group.getValue() * 100 >= total)
                .map(group -> String.format(Locale.ROOT, "%s %.2f µs", group.getKey(), group.getValue() / 1e3 / changes))
                .collect(Collectors.joining(", "))
                + String.format(Locale.ROOT, " (all %.2f µs)", total / 1e3 / changes);
    }
}
