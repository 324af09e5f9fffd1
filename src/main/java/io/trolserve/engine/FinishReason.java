package io.trolserve.engine;

/**
 * Why a request stopped generating: the service's one finish reason. The engine knows no wire
 * form; the answer contract maps each constant to its JSON name in one exhaustive switch
 * ({@code messaging.contract.WireFinishReason}), so a new constant fails the build there.
 */
public enum FinishReason {
    /** The end-of-turn or EOS token, or a stop string. */
    STOP,
    /** maxNewTokens reached. */
    LENGTH,
    /** The request's deadline passed before it finished. */
    DEADLINE,
    /** Cancelled by whoever submitted it, or by the engine shutting down. */
    CANCELLED,
    /** Refused or failed by the engine; the output's error says why. */
    ERROR
}
