package io.trolserve.messaging.contract;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@link RequestParser} accepts, from configuration.
 *
 * @param maxQuestionChars counted in Unicode code points, as JSON Schema's {@code maxLength} counts
 * @param maxNewTokensLimit the largest {@code params.maxNewTokens} a request may ask for
 * @param maxInlineImageBytes the largest decoded inline image
 * @param allowedMediaTypes compared case-insensitively; stored lower-case
 * @param maxIdBytes the longest request id, in UTF-8 bytes: the id keys every answer and token
 *     record and sits in logs and maps, so it is bounded at the door
 */
public record RequestLimits(
        int maxQuestionChars,
        int maxNewTokensLimit,
        int maxInlineImageBytes,
        Set<String> allowedMediaTypes,
        int maxIdBytes) {

    public static final int DEFAULT_MAX_ID_BYTES = 256;

    public static final RequestLimits DEFAULTS = new RequestLimits(
            4000, 1024, 20 * 1024 * 1024, Set.of("image/png", "image/jpeg", "image/gif", "image/bmp"),
            DEFAULT_MAX_ID_BYTES);

    public RequestLimits {
        if (maxQuestionChars <= 0 || maxNewTokensLimit <= 0 || maxInlineImageBytes <= 0 || maxIdBytes <= 0) {
            throw new IllegalArgumentException("limits must be > 0: " + maxQuestionChars + ", "
                    + maxNewTokensLimit + ", " + maxInlineImageBytes + ", " + maxIdBytes);
        }
        allowedMediaTypes = allowedMediaTypes.stream()
                .map(t -> t.trim().toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
    }

    public RequestLimits(int maxQuestionChars, int maxNewTokensLimit, int maxInlineImageBytes,
                         Set<String> allowedMediaTypes) {
        this(maxQuestionChars, maxNewTokensLimit, maxInlineImageBytes, allowedMediaTypes, DEFAULT_MAX_ID_BYTES);
    }

    public RequestLimits withMaxInlineImageBytes(int bytes) {
        return new RequestLimits(maxQuestionChars, maxNewTokensLimit, bytes, allowedMediaTypes, maxIdBytes);
    }

    public RequestLimits withMaxNewTokensLimit(int tokens) {
        return new RequestLimits(maxQuestionChars, tokens, maxInlineImageBytes, allowedMediaTypes, maxIdBytes);
    }

    public RequestLimits withMaxIdBytes(int bytes) {
        return new RequestLimits(maxQuestionChars, maxNewTokensLimit, maxInlineImageBytes, allowedMediaTypes, bytes);
    }
}
