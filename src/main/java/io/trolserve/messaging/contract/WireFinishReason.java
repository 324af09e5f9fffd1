package io.trolserve.messaging.contract;

import io.trolserve.engine.FinishReason;

/**
 * The {@code finishReason} field of {@code trol.answers}: the engine's {@link FinishReason} by its
 * lower-case name, as the schema enumerates them. One exhaustive switch, so a new finish reason
 * does not build until it has a name on the wire.
 */
public final class WireFinishReason {

    private WireFinishReason() {
    }

    public static String of(FinishReason reason) {
        return switch (reason) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case DEADLINE -> "deadline";
            case CANCELLED -> "cancelled";
            case ERROR -> "error";
        };
    }

    public static FinishReason parse(String wireName) {
        for (FinishReason r : FinishReason.values()) {
            if (of(r).equals(wireName)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown finishReason: " + wireName);
    }
}
