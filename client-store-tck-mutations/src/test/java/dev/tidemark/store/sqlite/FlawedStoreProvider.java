package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.StoreSettings;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Opens {@link BaselineStore} with the {@link Flaw} its settings name; registered as {@value #NAME}. */
public final class FlawedStoreProvider implements SyncStoreProvider {

    static final String NAME = "sqlite-flawed";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SyncStore open(Map<String, String> config) {
        StoreSettings settings = StoreSettings.of(NAME, config, Set.of("path", "flaw"));
        Flaw flaw = settings.choice("flaw", Flaw.class, Flaw.NONE);
        return flaw.open(new SqliteStoreConfig(Path.of(settings.required("path")), Durability.FULL, 10_000));
    }
}
