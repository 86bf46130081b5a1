package dev.tidemark.server.hub;

/**
 * The client on the other end of a session, once it said who it is: its terms and the parts of the session
 * that serve it for as long as the connection lasts.
 *
 * @param terms what it asked for
 * @param acks its acknowledgements and progress
 * @param sourceVerify its verifies against the source
 * @param incomplete its entity types capture cannot capture correctly now
 */
record Peer(StreamTerms terms, AckHandler acks, SourceVerifySession sourceVerify, IncompleteTypes incomplete) {

    String clientId() {
        return terms.clientId();
    }
}
