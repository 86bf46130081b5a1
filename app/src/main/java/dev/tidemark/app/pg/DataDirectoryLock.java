package dev.tidemark.app.pg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The owner lock of an embedded PostgreSQL's data directory: a file {@code <data-dir>.lock} beside it,
 * held with an operating-system file lock for as long as the owning process runs, and naming that
 * process (pid and command). The operating system releases the lock when its owner dies, however it
 * dies, so a PostgreSQL found running on a directory whose lock could be taken is a true orphan.
 */
public final class DataDirectoryLock implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of {@code dataDirectory}. */
    public static Path lockFile(Path dataDirectory) {
        Path absolute = dataDirectory.toAbsolutePath().normalize();
        return absolute.resolveSibling(absolute.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code dataDirectory} for this process.
     *
     * @throws DataDirectoryInUseException when another live process (or another part of this one) holds it
     */
    public static DataDirectoryLock acquire(Path dataDirectory) {
        Path file = lockFile(dataDirectory);
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException heldHere) {
                lock = null;
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new DataDirectoryInUseException(dataDirectory, holder);
            }
            String owner = ProcessHandle.current().pid() + " " + ProcessHandle.current().info().commandLine()
                    .orElse("java");
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((owner + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            return new DataDirectoryLock(file, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot take the owner lock " + file + " of " + dataDirectory
                    + ": check that its directory is writable", e);
        }
    }

    /** Who holds the lock, as written in the file: "pid command", or a description when unreadable. */
    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        channel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).trim();
        if (text.isEmpty()) {
            return "another process (it has not written its pid yet)";
        }
        int space = text.indexOf(' ');
        String pidText = space < 0 ? text : text.substring(0, space);
        Optional<Long> pid = parsePid(pidText);
        String command = space < 0 ? "" : text.substring(space + 1);
        if (pid.isPresent() && pid.get() == ProcessHandle.current().pid()) {
            return "this process (pid " + pid.get() + ")";
        }
        boolean alive = pid.flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
        return "process " + pidText + (command.isEmpty() ? "" : " (" + abbreviate(command) + ")")
                + (alive ? "" : ", which no longer seems to run: if so, its lock is on a file system that does not"
                + " release locks; delete the lock file");
    }

    private static Optional<Long> parsePid(String text) {
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String abbreviate(String command) {
        return command.length() <= 160 ? command : command.substring(0, 157) + "...";
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** Releases the lock; the file stays (a next owner overwrites it). */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            // closing the channel below releases it as well
        } finally {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}
