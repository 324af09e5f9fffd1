package io.trolserve.engine;

import java.util.Locale;

/** Why a request stopped generating; the wire name is the lower-case constant name. */
public enum FinishReason {
    /** The end-of-turn or EOS token, or a stop string. */
    STOP,
    /** maxNewTokens reached. */
    LENGTH,
    DEADLINE,
    CANCELLED,
    ERROR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
