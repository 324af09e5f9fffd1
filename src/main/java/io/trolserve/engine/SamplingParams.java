package io.trolserve.engine;

import java.util.List;

/**
 * How one request chooses its tokens. Temperature 0 is greedy (argmax, ties to the lowest id, as
 * {@code torch.argmax}); otherwise temperature, then top-k, then top-p, then a draw from a
 * generator seeded per request, so the same seed gives the same tokens whatever else runs.
 *
 * <p>A sampling temperature lies in [{@link #MIN_TEMPERATURE}, {@link #MAX_TEMPERATURE}]. Below
 * 0.01 the draw is greedy for any logits a model gives (a gap of 0.2 already weighs e^-20), while
 * {@code logit / T} for a denormal T overflows and poisons every probability; above 100 the
 * distribution is uniform noise for logits of ordinary size. Whoever wants greedy asks for 0.
 *
 * @param topK 0 disables top-k
 * @param topP 1.0 disables nucleus sampling
 * @param seed null draws a seed per request
 * @param stop stop strings: generation ends when the answer text contains one; it is cut there
 * @param ignoreEos keep generating through EOS and end-of-turn tokens until maxNewTokens (benchmarks
 *                  need fixed output lengths; not offered on the wire)
 */
public record SamplingParams(int maxNewTokens, double temperature, double topP, int topK, Long seed,
                             List<String> stop, boolean ignoreEos) {

    /** What a request that does not say gets. */
    public static final int DEFAULT_MAX_NEW_TOKENS = 256;
    /** A request generates at least one token. */
    public static final int MIN_MAX_NEW_TOKENS = 1;
    public static final double MIN_TEMPERATURE = 1e-2;
    public static final double MAX_TEMPERATURE = 1e2;
    /** Top-k's lower bound, which disables it. */
    public static final int MIN_TOP_K = 0;

    public SamplingParams {
        if (maxNewTokens < MIN_MAX_NEW_TOKENS) {
            throw new IllegalArgumentException("maxNewTokens must be positive, got " + maxNewTokens);
        }
        if (!isValidTemperature(temperature)) {
            throw new IllegalArgumentException("temperature must be 0 (greedy) or within [" + MIN_TEMPERATURE + ", "
                    + MAX_TEMPERATURE + "], got " + temperature);
        }
        if (!isValidTopP(topP)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (topK < MIN_TOP_K) {
            throw new IllegalArgumentException("topK must be >= " + MIN_TOP_K + ", got " + topK);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        for (String s : stop) {
            if (!isValidStopString(s)) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    public SamplingParams(int maxNewTokens, double temperature, double topP, int topK, Long seed, List<String> stop) {
        this(maxNewTokens, temperature, topP, topK, seed, stop, false);
    }

    public static SamplingParams greedy(int maxNewTokens) {
        return new SamplingParams(maxNewTokens, 0.0, 1.0, 0, null, List.of());
    }

    public SamplingParams ignoringEos() {
        return new SamplingParams(maxNewTokens, temperature, topP, topK, seed, stop, true);
    }

    /** 0 (greedy) or within [MIN_TEMPERATURE, MAX_TEMPERATURE]; NaN is neither. */
    public static boolean isValidTemperature(double temperature) {
        return temperature == 0 || temperature >= MIN_TEMPERATURE && temperature <= MAX_TEMPERATURE;
    }

    /** A nucleus mass in (0, 1]; NaN is not one. */
    public static boolean isValidTopP(double topP) {
        return topP > 0 && topP <= 1;
    }

    /** An empty stop string would end every answer before it starts. */
    public static boolean isValidStopString(String stop) {
        return !stop.isEmpty();
    }

    public boolean isGreedy() {
        return temperature == 0.0;
    }
}
