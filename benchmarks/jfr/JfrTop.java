import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Aggregates a JDK Flight Recorder file into the tables of docs/performance.md, with the JDK alone (no
 * dependency; Java 17's {@code jfr} tool has no {@code view} command):
 *
 * <pre>
 * java benchmarks/jfr/JfrTop.java FILE.jfr [--threads REGEX] [--from SECONDS] [--to SECONDS] [--top N] [--prefix PKG]
 * </pre>
 *
 * <ul>
 *   <li>CPU samples ({@code jdk.ExecutionSample}) per thread group (the thread name with its digits made
 *       {@code #}), so that a server and a client sharing one JVM are told apart;</li>
 *   <li>the top frames by self samples, and the top frames of {@code --prefix} (default {@code dev.tidemark})
 *       by inclusive samples (a frame counts once per sample however often it recurs in the stack);</li>
 *   <li>waiting: {@code jdk.ThreadPark}, {@code jdk.JavaMonitorWait}, {@code jdk.JavaMonitorEnter},
 *       {@code jdk.SocketRead}/{@code Write}, {@code jdk.FileForce}, per thread group and the nearest
 *       {@code --prefix} frame: count and total time (only events over the recording's thresholds are
 *       recorded: record with a lower threshold, e.g. {@code jfr configure --input profile
 *       jdk.ThreadPark#threshold=2ms ...});</li>
 *   <li>threads in native code ({@code jdk.NativeMethodSample}, e.g. SQLite's JNI calls and its fsync, a
 *       socket read): the native frame and the nearest {@code --prefix} frame;</li>
 *   <li>the JVM's and the machine's CPU load ({@code jdk.CPULoad}, once a second), mean over the window;</li>
 *   <li>GC pauses ({@code jdk.GarbageCollection}) count, total and longest.</li>
 * </ul>
 * {@code --from}/{@code --to} keep the events of that window, in seconds from the recording's first event.
 */
public final class JfrTop {

    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Set<String> WAITS = Set.of("jdk.ThreadPark", "jdk.JavaMonitorWait", "jdk.JavaMonitorEnter",
            "jdk.SocketRead", "jdk.SocketWrite", "jdk.FileForce", "jdk.FileWrite", "jdk.FileRead");

    public static void main(String[] args) throws IOException {
        if (args.length == 0 || args[0].startsWith("--")) {
            System.err.println("usage: java benchmarks/jfr/JfrTop.java FILE.jfr [--threads REGEX] [--from S] [--to S]"
                    + " [--top N] [--prefix dev.tidemark]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        Pattern threads = null;
        double from = 0;
        double to = Double.MAX_VALUE;
        int top = 15;
        String prefix = "dev.tidemark";
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--threads" -> threads = Pattern.compile(args[i + 1]);
                case "--from" -> from = Double.parseDouble(args[i + 1]);
                case "--to" -> to = Double.parseDouble(args[i + 1]);
                case "--top" -> top = Integer.parseInt(args[i + 1]);
                case "--prefix" -> prefix = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String tidemark = prefix;
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Instant first = events.stream().map(RecordedEvent::getStartTime).min(Comparator.naturalOrder())
                .orElse(Instant.EPOCH);
        Map<String, Integer> samplesByGroup = new HashMap<>();
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, long[]> waits = new HashMap<>();
        long gcCount = 0;
        Duration gcTotal = Duration.ZERO;
        Duration gcMax = Duration.ZERO;
        int samples = 0;
        int cpuLoads = 0;
        double jvmCpu = 0;
        double machineCpu = 0;
        Map<String, Integer> natives = new HashMap<>();
        int nativeSamples = 0;
        for (RecordedEvent event : events) {
            double at = Duration.between(first, event.getStartTime()).toNanos() / 1e9;
            if (at < from || at > to) {
                continue;
            }
            String type = event.getEventType().getName();
            if (type.equals("jdk.CPULoad")) {
                cpuLoads++;
                jvmCpu += event.getFloat("jvmUser") + event.getFloat("jvmSystem");
                machineCpu += event.getFloat("machineTotal");
                continue;
            }
            if (type.equals("jdk.GarbageCollection")) {
                gcCount++;
                gcTotal = gcTotal.plus(event.getDuration("sumOfPauses"));
                Duration longest = event.getDuration("longestPause");
                gcMax = longest.compareTo(gcMax) > 0 ? longest : gcMax;
                continue;
            }
            boolean sample = type.equals("jdk.ExecutionSample");
            boolean nativeSample = type.equals("jdk.NativeMethodSample");
            if (!sample && !nativeSample && !WAITS.contains(type)) {
                continue;
            }
            RecordedThread thread = event.getThread(sample || nativeSample ? "sampledThread" : "eventThread");
            String name = thread == null ? "?" : thread.getJavaName() == null ? thread.getOSName() : thread.getJavaName();
            if (threads != null && !threads.matcher(name).find()) {
                continue;
            }
            String group = DIGITS.matcher(name).replaceAll("#");
            RecordedStackTrace stack = event.getStackTrace();
            List<RecordedFrame> frames = stack == null ? List.of() : stack.getFrames();
            if (nativeSample) {
                String where = frames.isEmpty() ? "?" : frame(frames.get(0));
                String caller = frames.stream().map(JfrTop::frame).filter(f -> f.startsWith(tidemark)).findFirst()
                        .orElse("-");
                natives.merge(group + " | " + where + " | " + caller, 1, Integer::sum);
                nativeSamples++;
            } else if (sample) {
                samples++;
                samplesByGroup.merge(group, 1, Integer::sum);
                if (!frames.isEmpty()) {
                    self.merge(frame(frames.get(0)), 1, Integer::sum);
                }
                Set<String> seen = new HashSet<>();
                for (RecordedFrame recorded : frames) {
                    String name2 = frame(recorded);
                    if (name2.startsWith(prefix) && seen.add(name2)) {
                        inclusive.merge(name2, 1, Integer::sum);
                    }
                }
            } else {
                String where = frames.stream().map(JfrTop::frame).filter(f -> f.startsWith(tidemark)).findFirst()
                        .orElse(frames.isEmpty() ? "?" : frame(frames.get(0)));
                long[] sum = waits.computeIfAbsent(type.substring(4) + " | " + group + " | " + where, k -> new long[2]);
                sum[0]++;
                sum[1] += event.getDuration().toNanos();
            }
        }
        System.out.printf(Locale.ROOT, "%s: %,d CPU samples%s%n%n", file.getFileName(), samples,
                threads == null ? "" : " of threads matching " + threads);
        System.out.println("| thread group | CPU samples | % |");
        System.out.println("|---|---:|---:|");
        print(samplesByGroup, samples, top);
        System.out.println();
        System.out.println("| top frame (self) | samples | % |");
        System.out.println("|---|---:|---:|");
        print(self, samples, top);
        System.out.println();
        System.out.println("| " + prefix + " frame (inclusive) | samples | % |");
        System.out.println("|---|---:|---:|");
        print(inclusive, samples, top);
        System.out.println();
        System.out.println("| waiting: event | thread group | nearest " + prefix + " frame | events | total ms |");
        System.out.println("|---|---|---|---:|---:|");
        waits.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(top * 2L)
                .forEach(e -> System.out.printf(Locale.ROOT, "| %s | %,d | %,.0f |%n", e.getKey(), e.getValue()[0],
                        e.getValue()[1] / 1e6));
        System.out.println();
        System.out.println("| in native code (jdk.NativeMethodSample): thread group | native frame | nearest " + prefix
                + " frame | samples | % |");
        System.out.println("|---|---|---|---:|---:|");
        print(natives, nativeSamples, top);
        System.out.printf(Locale.ROOT, "%nCPU (jdk.CPULoad, mean of %d readings): this JVM %.0f%% of the machine, the"
                + " machine %.0f%% busy%n", cpuLoads, 100 * jvmCpu / Math.max(1, cpuLoads),
                100 * machineCpu / Math.max(1, cpuLoads));
        System.out.printf(Locale.ROOT, "GC: %d collections, %.0f ms paused in all, longest pause %.1f ms%n", gcCount,
                gcTotal.toNanos() / 1e6, gcMax.toNanos() / 1e6);
    }

    private static void print(Map<String, Integer> counts, int total, int top) {
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        Map<String, Integer> shown = new LinkedHashMap<>();
        sorted.stream().limit(top).forEach(e -> shown.put(e.getKey(), e.getValue()));
        shown.forEach((name, count) -> System.out.printf(Locale.ROOT, "| %s | %,d | %.1f |%n", name, count,
                100.0 * count / Math.max(1, total)));
    }

    private static String frame(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }
}
