package dev.tidemark.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on loopback between one client and the server that can fail the way networks do: reset every
 * connection, black-hole traffic (nothing passes, nothing is closed), delay every chunk, or cut a connection in
 * the middle of a WebSocket frame from the server. With several server nodes it is also the client's load
 * balancer: a new connection goes to the node the last one reached, or, when that node refuses, to the next.
 */
final class FaultProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Integer> targetPorts;
    /** The node new connections try first: the last one that accepted. Only the acceptor thread moves it. */
    private int preferred;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private volatile boolean blackHole;
    private volatile long delayMillis;
    private final AtomicBoolean cutMidFrame = new AtomicBoolean();

    FaultProxy(int targetPort) throws IOException {
        this(List.of(targetPort), 0);
    }

    /**
     * @param targetPorts the server nodes' ports
     * @param first the node tried first (spreads the clients over the nodes)
     */
    FaultProxy(List<Integer> targetPorts, int first) throws IOException {
        if (targetPorts.isEmpty()) {
            throw new IllegalArgumentException("a proxy needs at least one server port");
        }
        this.targetPorts = List.copyOf(targetPorts);
        this.preferred = Math.floorMod(first, targetPorts.size());
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Resets every connection (RST, not FIN), as a broken network path would. */
    void resetAll() {
        for (Socket socket : open) {
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException ignored) {
                // Already closed.
            }
        }
        open.clear();
    }

    void blackHole(boolean on) {
        blackHole = on;
        if (!on) {
            synchronized (gate) {
                gate.notifyAll();
            }
        }
    }

    void delay(long millis) {
        delayMillis = millis;
    }

    /** The next chunk from the server is forwarded only in part, then the connection is reset. */
    void cutNextServerChunk() {
        cutMidFrame.set(true);
    }

    /** Back to a healthy network. */
    void heal() {
        delay(0);
        blackHole(false);
        if (cutMidFrame.getAndSet(false)) {
            resetAll();
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = connectToANode();
                if (server == null) {
                    client.setSoLinger(true, 0);
                    client.close();
                    continue;
                }
                open.add(client);
                open.add(server);
                pipe(client, server, false);
                pipe(server, client, true);
            } catch (IOException e) {
                return;
            }
        }
    }

    /** A connection to the preferred node, or to the next one that accepts; null when none does. */
    private Socket connectToANode() {
        for (int tried = 0; tried < targetPorts.size(); tried++) {
            int node = (preferred + tried) % targetPorts.size();
            try {
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPorts.get(node));
                preferred = node;
                return server;
            } catch (IOException refused) {
                // That node is down: try the next.
            }
        }
        return null;
    }

    private void pipe(Socket from, Socket to, boolean fromServer) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    holdWhileBlackHoled();
                    long delay = delayMillis;
                    if (delay > 0) {
                        TimeUnit.MILLISECONDS.sleep(delay); // the fault itself: a slow path, not synchronisation
                    }
                    if (fromServer && read > 1 && cutMidFrame.compareAndSet(true, false)) {
                        out.write(buffer, 0, read / 2);
                        out.flush();
                        resetAll();
                        return;
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException ignored) {
                // Cut, reset or closed.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "proxy-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    private void holdWhileBlackHoled() throws InterruptedException {
        synchronized (gate) {
            while (blackHole) {
                gate.wait(1000);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        blackHole(false);
        listener.close();
        resetAll();
    }
}
