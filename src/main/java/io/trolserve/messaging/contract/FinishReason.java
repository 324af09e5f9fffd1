package io.trolserve.messaging.contract;

import java.util.Locale;

/** Why an answer ended; the wire form ({@link #wireName()}) is the lower-case name. */
public enum FinishReason {
    STOP,
    LENGTH,
    DEADLINE,
    CANCELLED,
    ERROR;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
    }

    public static FinishReason fromWireName(String name) {
        for (FinishReason r : values()) {
            if (r.wireName.equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown finishReason: " + name);
    }
}
