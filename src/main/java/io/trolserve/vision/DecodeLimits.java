package io.trolserve.vision;

import java.time.Duration;
import java.util.Objects;

/**
 * What one decode may cost: at most {@code maxPixels} (width × height, from the header), pixels
 * drawn from a {@link DecodeBudget} shared with concurrent decodes, and at most
 * {@code maxDecodeTime} of decoding (the wait for the budget not included).
 */
public record DecodeLimits(long maxPixels, Duration maxDecodeTime, DecodeBudget budget) {

    /** The service's default for {@code trol.messaging.max-decode-time}. */
    public static final Duration DEFAULT_DECODE_TIME = Duration.ofSeconds(10);

    public DecodeLimits {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
        }
        Objects.requireNonNull(budget, "budget");
        if (maxDecodeTime.isNegative() || maxDecodeTime.isZero()) {
            throw new IllegalArgumentException("maxDecodeTime must be positive: " + maxDecodeTime);
        }
    }

    /** For a tool that decodes one image at a time: a budget of its own that fits any allowed image. */
    public static DecodeLimits standalone(long maxPixels) {
        long fits = Math.max(1, Math.min(maxPixels, ImageDecoder.HARD_MAX_PIXELS));
        return new DecodeLimits(maxPixels, DEFAULT_DECODE_TIME, new DecodeBudget(fits));
    }
}
