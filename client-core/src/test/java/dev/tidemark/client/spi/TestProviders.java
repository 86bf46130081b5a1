package dev.tidemark.client.spi;

import java.util.List;

/** Providers for the lookup tests; they open nothing. */
final class TestProviders {

    private TestProviders() {}

    /** Opens nothing: records the config it was given in the exception, so tests can see it. */
    abstract static class Named implements SyncStoreProvider {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<StoreSetting> settings() {
            return List.of(StoreSetting.optional("k", StoreSetting.Type.STRING, null, "a test setting"));
        }

        @Override
        public StoreBackend open(StoreSettings settings, StoreContext context) {
            throw new SyncStoreException(StoreErrorCode.UNAVAILABLE,
                    getClass().getSimpleName() + " opened with " + settings.values());
        }
    }

    public static final class Alpha extends Named {
        public Alpha() {
            super("alpha");
        }
    }

    public static final class Beta extends Named {
        public Beta() {
            super("beta-2");
        }
    }

    public static final class AlphaAgain extends Named {
        public AlphaAgain() {
            super("alpha");
        }
    }

    public static final class BadName extends Named {
        public BadName() {
            super("Bad Name");
        }
    }
}
