package io.trolserve.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

/**
 * Logs a message once per distinct value, for at most {@code capacity} values: the values come from
 * producers (field names), so neither the log nor the memory of what was logged may grow with them.
 */
final class OnceLog {

    private static final Logger LOG = Logger.getLogger(OnceLog.class);

    private final int capacity;
    private final String format;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    OnceLog(int capacity, String format) {
        this.capacity = capacity;
        this.format = format;
    }

    void once(String value) {
        if (logged.size() >= capacity || !logged.add(value)) {
            return;
        }
        LOG.infof(format, value);
        if (logged.size() == capacity) {
            LOG.infof("%d distinct values logged; further ones are counted only", capacity);
        }
    }
}
