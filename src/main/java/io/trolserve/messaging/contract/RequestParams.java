package io.trolserve.messaging.contract;

import java.util.List;

import io.trolserve.engine.SamplingParams;

/**
 * Sampling parameters of a request ({@code "params"}); every field is optional on the wire.
 *
 * <p>The rules and the defaults are {@link SamplingParams}'s: the constructor refuses what the
 * engine would refuse. Limits that depend on configuration ({@code maxNewTokens} against its
 * limit) and the wire's own bounds on stop strings are the {@link RequestParser}'s.
 *
 * @param temperature 0 means greedy; otherwise within [SamplingParams.MIN_TEMPERATURE, MAX_TEMPERATURE]
 * @param topP nucleus mass in (0, 1]; 1 disables it
 * @param topK 0 disables it
 * @param seed null: not seeded
 * @param stop stop strings, possibly empty, never null
 */
public record RequestParams(
        int maxNewTokens,
        double temperature,
        double topP,
        int topK,
        Long seed,
        List<String> stop) {

    /** What a request without {@code "params"} gets (with maxNewTokens capped by the limit). */
    public static final RequestParams DEFAULTS =
            of(SamplingParams.greedy(SamplingParams.DEFAULT_MAX_NEW_TOKENS));

    public RequestParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
        // built only to apply the engine's rules, which throw on a value they refuse
        new SamplingParams(maxNewTokens, temperature, topP, topK, seed, stop);
    }

    /** The wire form of {@code p}; the wire does not carry ignoreEos. */
    static RequestParams of(SamplingParams p) {
        return new RequestParams(p.maxNewTokens(), p.temperature(), p.topP(), p.topK(), p.seed(), p.stop());
    }
}
