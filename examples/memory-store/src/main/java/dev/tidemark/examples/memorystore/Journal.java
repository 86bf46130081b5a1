package dev.tidemark.examples.memorystore;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * An append-only file of {@link Entry entries}, each written as {@code [length][CRC-32C][payload]}
 * and forced to disk before {@link #append} returns — that is what makes a step durable.
 *
 * <p>A crash can leave the last record half-written. On open, the journal replays every whole record
 * and cuts such a torn tail off (its step never returned to the caller, so nothing acknowledged is
 * lost). A record that fails to write is cut off at once, so later records stay readable.
 *
 * <p>Left out to stay small: compaction (a real store would write a snapshot to a new file, force
 * it, and rename it over the journal).
 */
final class Journal implements AutoCloseable {

    private static final byte[] MAGIC = "tidemark-memory-journal-1\n".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private long size;
    private boolean broken;

    private Journal(Path file, FileChannel channel, FileLock lock, long size) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.size = size;
    }

    /** Opens (or creates) the journal at {@code file} and hands every whole entry to {@code replay}, in order. */
    static Journal open(Path file, Consumer<Entry> replay) {
        FileChannel channel = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            boolean created = !Files.exists(file);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = lockOf(channel, file);
            if (created || channel.size() == 0) {
                channel.write(ByteBuffer.wrap(MAGIC), 0);
                channel.force(true);
                forceDirectory(parent);
            }
            long end = replay(channel, file, replay);
            if (end < channel.size()) {
                channel.truncate(end);
                channel.force(true);
            }
            return new Journal(file, channel, lock, end);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new SyncStoreException(StoreErrorCode.UNAVAILABLE,
                    "cannot open the journal " + file + ": " + e.getMessage() + ". Check the path and its permissions.", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static FileLock lockOf(FileChannel channel, Path file) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new SyncStoreException(StoreErrorCode.UNAVAILABLE,
                    "the journal " + file + " is open in another store; close that one first");
        }
        return lock;
    }

    /** Replays whole records; returns where the last one ends. */
    private static long replay(FileChannel channel, Path file, Consumer<Entry> replay) throws IOException {
        InputStream raw = Channels.newInputStream(channel.position(0));
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new SyncStoreException(StoreErrorCode.UNAVAILABLE,
                    file + " is not a Tidemark memory-store journal; point 'journal' at a new file");
        }
        long end = MAGIC.length;
        long fileSize = channel.size();
        while (true) {
            int length;
            int crc;
            byte[] payload;
            try {
                length = in.readInt();
                crc = in.readInt();
                if (length <= 0 || length > fileSize - end) {
                    return end; // torn length: the record was never completed
                }
                payload = in.readNBytes(length);
            } catch (EOFException e) {
                return end;
            }
            if (payload.length < length || crc != crc(payload)) {
                return end; // torn tail
            }
            Entry entry;
            try {
                entry = EntryCodec.decode(payload);
            } catch (IOException e) {
                throw new SyncStoreException(StoreErrorCode.INCOMPATIBLE_SCHEMA, "the journal " + file
                        + " holds an entry this version cannot read (" + e.getMessage() + "); upgrade Tidemark", e);
            }
            replay.accept(entry);
            end += 8 + length;
        }
    }

    /** Writes {@code entry} and forces it to disk. On failure nothing of it stays in the file. */
    void append(Entry entry) {
        if (broken) {
            throw new SyncStoreException(StoreErrorCode.STORAGE_FAILURE,
                    "the journal " + file + " could not be repaired after a failed write; reopen the store");
        }
        byte[] payload = EntryCodec.encode(entry);
        ByteBuffer record = ByteBuffer.allocate(8 + payload.length);
        record.putInt(payload.length).putInt(crc(payload)).put(payload).flip();
        try {
            long position = size;
            while (record.hasRemaining()) {
                position += channel.write(record, position);
            }
            channel.force(false);
            size = position;
        } catch (IOException e) {
            cutBack();
            throw new SyncStoreException(StoreErrorCode.STORAGE_FAILURE,
                    "cannot write the journal " + file + ": " + e.getMessage(), e);
        }
    }

    private void cutBack() {
        try {
            channel.truncate(size);
            channel.force(true);
        } catch (IOException e) {
            broken = true;
        }
    }

    private static int crc(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return (int) crc.getValue();
    }

    /** Makes a new file's directory entry durable (Linux and macOS; a no-op where unsupported). */
    private static void forceDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some platforms cannot open directories; the file's data is forced regardless
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // already failing
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new SyncStoreException(StoreErrorCode.STORAGE_FAILURE, "cannot close the journal " + file, e);
        }
    }
}
