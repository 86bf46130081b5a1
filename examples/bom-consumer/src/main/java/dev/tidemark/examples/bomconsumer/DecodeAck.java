package dev.tidemark.examples.bomconsumer;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.SyncAck;

/** Uses tidemark-protocol alone, and checks that nothing else of Tidemark came along. */
public final class DecodeAck {

    public static void main(String[] args) {
        MessageCodec codec = new MessageCodec();
        SyncAck ack = SyncAck.success("bom-consumer", Lsn.parse("0/1715f70"), "b-1");
        SyncAck decoded = (SyncAck) codec.decode(codec.encode(ack));
        if (!decoded.equals(ack)) {
            throw new IllegalStateException("round trip changed the ack: " + decoded);
        }
        for (String other : new String[] {"dev.tidemark.client.spi.SyncStore", "dev.tidemark.server.spi.ChangeLog"}) {
            try {
                Class.forName(other);
                throw new IllegalStateException(other + " is on the classpath, but only tidemark-protocol was asked for");
            } catch (ClassNotFoundException expected) {
                // Piecewise import: only the module depended on is there.
            }
        }
        System.out.println("bom-consumer: decoded " + decoded.type() + " at " + decoded.lsn() + " with tidemark-protocol alone");
    }
}
