package io.trolserve.messaging;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids whose answers are already on {@code trol.answers} although their records may not be
 * committed: rebuilt from the answers topic when partitions are assigned
 * ({@link AnsweredIdsScan}), so that after a crash or a rebalance a request answered just before
 * is committed without running again. Bounded: beyond the capacity the oldest ids go first (a
 * forgotten id only costs a duplicate answer, as plain at-least-once would).
 */
public final class AnsweredIds {

    private final int capacity;
    private final Map<String, Boolean> ids;

    public AnsweredIds(int capacity) {
        this.capacity = capacity;
        this.ids = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > AnsweredIds.this.capacity;
            }
        };
    }

    public synchronized void addAll(Collection<String> answered) {
        answered.forEach(id -> ids.put(id, Boolean.TRUE));
    }

    public synchronized boolean contains(String id) {
        return ids.containsKey(id);
    }

    public synchronized int size() {
        return ids.size();
    }
}
