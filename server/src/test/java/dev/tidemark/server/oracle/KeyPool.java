package dev.tidemark.server.oracle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The keys a table holds, as the workload knows them: O(1) add, remove and random pick. */
final class KeyPool {

    private final List<List<String>> keys = new ArrayList<>();
    private final Map<List<String>, Integer> index = new HashMap<>();

    boolean contains(List<String> key) {
        return index.containsKey(key);
    }

    void add(List<String> key) {
        if (index.putIfAbsent(key, keys.size()) == null) {
            keys.add(key);
        }
    }

    void remove(List<String> key) {
        Integer at = index.remove(key);
        if (at == null) {
            return;
        }
        List<String> last = keys.remove(keys.size() - 1);
        if (at < keys.size()) {
            keys.set(at, last);
            index.put(last, at);
        }
    }

    List<String> random(Random random) {
        return keys.get(random.nextInt(keys.size()));
    }

    int size() {
        return keys.size();
    }

    void clear() {
        keys.clear();
        index.clear();
    }
}
