package io.trolserve.messaging.contract;

import java.util.List;

import io.trolserve.engine.SamplingParams;

/**
 * Sampling parameters of a request ({@code "params"}); every field is optional on the wire.
 *
 * <p>The constructor checks only what holds under any configuration; limits that depend on
 * configuration ({@code maxNewTokens} against its limit) are the {@link RequestParser}'s.
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

    public static final int DEFAULT_MAX_NEW_TOKENS = 256;

    /** What a request without {@code "params"} gets (with maxNewTokens capped by the limit). */
    public static final RequestParams DEFAULTS =
            new RequestParams(DEFAULT_MAX_NEW_TOKENS, 0.0, 1.0, 0, null, List.of());

    public RequestParams {
        if (maxNewTokens <= 0) {
            throw new IllegalArgumentException("maxNewTokens must be > 0: " + maxNewTokens);
        }
        if (temperature != 0 && !(temperature >= SamplingParams.MIN_TEMPERATURE
                && temperature <= SamplingParams.MAX_TEMPERATURE)) {
            throw new IllegalArgumentException("temperature must be 0 or in [" + SamplingParams.MIN_TEMPERATURE
                    + ", " + SamplingParams.MAX_TEMPERATURE + "]: " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1]: " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0: " + topK);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
    }
}
