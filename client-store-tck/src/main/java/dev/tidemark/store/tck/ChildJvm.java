package dev.tidemark.store.tck;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the kit's second JVMs (the kill test's and the large batch's) with the test's class path.
 *
 * <p>The store's settings never appear on the child's command line, where {@code ps} would show a
 * password to every user of the machine: the parent writes them to the child's standard input
 * (a count, then key and value as modified UTF-8, see {@link DataOutputStream#writeUTF}), and keeps
 * that pipe open; the child reads them first, then watches the pipe and ends itself when it closes
 * (the test JVM is gone), so no orphan keeps writing to the store.
 */
final class ChildJvm {

    private ChildJvm() {}

    /**
     * Starts {@code mainClass} with {@code heap} as {@code -Xmx}, the kit user's extra options and
     * {@code arguments}, and sends it {@code settings} on its standard input.
     */
    static Process start(Class<?> mainClass, String heap, List<String> jvmOptions, Map<String, String> settings,
                         Path errors, String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(arguments));
        Process child = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        try {
            writeSettings(child.getOutputStream(), settings);
        } catch (IOException e) {
            child.destroyForcibly();
            throw e;
        }
        return child;
    }

    private static void writeSettings(OutputStream pipe, Map<String, String> settings) throws IOException {
        DataOutputStream out = new DataOutputStream(pipe);
        out.writeInt(settings.size());
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            out.writeUTF(setting.getKey());
            out.writeUTF(setting.getValue());
        }
        out.flush();
    }

    /** In the child: reads the settings the parent sent, then ends this JVM when the parent goes away. */
    static Map<String, String> receiveSettings(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int count = data.readInt();
        Map<String, String> settings = new HashMap<>();
        for (int i = 0; i < count; i++) {
            settings.put(data.readUTF(), data.readUTF());
        }
        Thread watcher = new Thread(() -> {
            try {
                while (in.read() >= 0) {
                    // the parent writes nothing more; read until end of stream
                }
            } catch (IOException e) {
                // treat like end of stream
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
        return settings;
    }
}
