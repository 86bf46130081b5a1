package dev.tidemark.server.auth;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.time.Clock;

/**
 * Guice wiring of authentication: the {@link Authenticator}. Needs bindings of {@link AuthConfig} and
 * {@link Clock} (the {@code HubModule} binds a default clock).
 */
public final class AuthModule extends AbstractModule {

    @Provides
    @Singleton
    Authenticator authenticator(AuthConfig config, Clock clock) {
        return new Authenticator(config, clock);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AuthModule;
    }

    @Override
    public int hashCode() {
        return AuthModule.class.hashCode();
    }
}
