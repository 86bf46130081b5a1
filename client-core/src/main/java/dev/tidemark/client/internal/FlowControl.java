package dev.tidemark.client.internal;

/** Stops and restarts reading from the network, so that received messages never pile up without bound. */
interface FlowControl {

    /** Stop reading from the socket (the server's TCP window then fills and it waits). */
    void pause();

    /** Read again. */
    void resume();
}
