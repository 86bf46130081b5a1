package dev.tidemark.benchmarks.endtoend;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP proxy that passes the server's bytes on to the client at most {@code bytesPerSecond} (the
 * client's bytes to the server unpaced): a client on a slower link than loopback, as a remote client is, so the
 * time the changes spend on the wire shows in the end-to-end figures.
 */
final class ThrottledLink implements AutoCloseable {

    private static final int CHUNK = 16 * 1024;

    private final ServerSocket listener;
    private final int targetPort;
    private final long bytesPerSecond;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    ThrottledLink(int targetPort, long bytesPerSecond) throws IOException {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("bytesPerSecond must be positive");
        }
        this.targetPort = targetPort;
        this.bytesPerSecond = bytesPerSecond;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon(this::accept, "throttled-link-accept");
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                open.add(client);
                open.add(server);
                daemon(() -> copy(client, server, false), "throttled-link-up");
                daemon(() -> copy(server, client, true), "throttled-link-down");
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Copies until either side closes; when {@code paced}, no faster than the link's rate. */
    private void copy(Socket from, Socket to, boolean paced) {
        byte[] buffer = new byte[CHUNK];
        long start = System.nanoTime();
        long sent = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                if (paced) {
                    long due = start + sent * 1_000_000_000L / bytesPerSecond;
                    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                    // After an idle stretch the link does not owe a burst: pacing restarts from now.
                    if (System.nanoTime() - due > 100_000_000L) {
                        start = System.nanoTime();
                        sent = 0;
                    }
                    sent += read;
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }
}
