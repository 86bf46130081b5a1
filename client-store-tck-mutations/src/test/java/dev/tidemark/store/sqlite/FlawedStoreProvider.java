package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.StoreBackend;
import dev.tidemark.client.spi.StoreContext;
import dev.tidemark.client.spi.StoreSetting;
import dev.tidemark.client.spi.StoreSettings;
import dev.tidemark.client.spi.SyncStoreProvider;
import java.nio.file.Path;
import java.util.List;

/** Opens {@link BaselineStore} with the {@link Flaw} its settings name; registered as {@value #NAME}. */
public final class FlawedStoreProvider implements SyncStoreProvider {

    static final String NAME = "sqlite-flawed";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<StoreSetting> settings() {
        return List.of(StoreSetting.required("path", StoreSetting.Type.PATH, "the database file"),
                StoreSetting.optional("flaw", StoreSetting.Type.STRING, Flaw.NONE.name(), "the flaw to have"));
    }

    @Override
    public StoreBackend open(StoreSettings settings, StoreContext context) {
        Flaw flaw = settings.choice("flaw", Flaw.class, Flaw.NONE);
        return flaw.open(new SqliteStoreConfig(Path.of(settings.required("path")), Durability.FULL, 10_000));
    }
}
