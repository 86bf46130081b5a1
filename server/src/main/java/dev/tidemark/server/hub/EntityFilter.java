package dev.tidemark.server.hub;

import dev.tidemark.server.auth.ClientGrant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The entity types one client receives: what its grant allows, intersected with what it subscribed to.
 *
 * @param all every entity type
 * @param types the entity types when not {@code all}; may be empty (the client receives nothing, only
 *     position moves)
 */
record EntityFilter(boolean all, Set<String> types) {

    EntityFilter {
        types = all ? Set.of() : Set.copyOf(types);
    }

    static final EntityFilter ALL = new EntityFilter(true, Set.of());

    /** The grant's types intersected with {@code subscriptions} (empty subscriptions: everything granted). */
    static EntityFilter of(ClientGrant grant, List<String> subscriptions) {
        if (subscriptions.isEmpty()) {
            return grant.allTypes() ? ALL : new EntityFilter(false, grant.entityTypes());
        }
        Set<String> wanted = new TreeSet<>(subscriptions);
        if (!grant.allTypes()) {
            wanted.retainAll(grant.entityTypes());
        }
        return new EntityFilter(false, wanted);
    }

    /** True when the client receives nothing at all. */
    boolean nothing() {
        return !all && types.isEmpty();
    }

    boolean matches(String entityType) {
        return all || types.contains(entityType);
    }

    /** The argument for {@code ChangeLog.read}: empty means all. Never call when {@link #nothing()}. */
    Set<String> logTypes() {
        if (nothing()) {
            throw new IllegalStateException("a filter that matches nothing is never sent to the change log");
        }
        return types;
    }

    /** A stable text naming this filter, for sharing encodings between clients with the same filter. */
    String key() {
        return all ? "*" : String.join("\u001F", new TreeSet<>(types));
    }
}
