package dev.tidemark.store.sqlite;

/**
 * The store every flawed store derives from passes the whole kit, so whatever the kit finds in a
 * flawed store is its flaw.
 */
class BaselineStoreConformanceTest extends FlawedStoreKit {

    BaselineStoreConformanceTest() {
        super(Flaw.NONE);
    }
}
