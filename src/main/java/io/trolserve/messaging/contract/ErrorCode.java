package io.trolserve.messaging.contract;

import java.util.Locale;

/**
 * Why a {@code trol.requests} record was rejected.
 *
 * <p>Wire form: lower-case with dashes ({@code NOT_UTF8} is {@code not-utf8}), used in the DLQ
 * header {@code trol-error-code} and in {@code TrolAnswer.error.code}. Kebab case matches the
 * header names themselves and is what clients compare against; the enum constant names are Java's
 * business only.
 */
public enum ErrorCode {
    NULL_VALUE,
    NOT_UTF8,
    MALFORMED_JSON,
    NOT_AN_OBJECT,
    UNSUPPORTED_VERSION,
    WRONG_TYPE,
    MISSING_ID,
    INVALID_ID,
    MISSING_QUESTION,
    EMPTY_QUESTION,
    QUESTION_TOO_LONG,
    INVALID_IMAGE,
    INVALID_BASE64,
    IMAGE_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    INVALID_URL,
    UNSUPPORTED_URL_SCHEME,
    INVALID_PARAMS,
    INVALID_DEADLINE,
    /** The parser failed on the value in a way no other code names; the record is still refused cleanly. */
    UNREADABLE_REQUEST;

    private final String wireName = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The form used on the wire, e.g. {@code invalid-base64}. */
    public String wireName() {
        return wireName;
    }

    /** Inverse of {@link #wireName()}; also accepts the constant name (SCREAMING_SNAKE). */
    public static ErrorCode fromWireName(String name) {
        for (ErrorCode code : values()) {
            if (code.wireName.equals(name) || code.name().equals(name)) {
                return code;
            }
        }
        throw new IllegalArgumentException("unknown error code: " + name);
    }
}
