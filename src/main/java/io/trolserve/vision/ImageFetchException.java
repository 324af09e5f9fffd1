package io.trolserve.vision;

/** An image URL that may not be read, or could not be; {@link #code()} is the wire error code. */
public class ImageFetchException extends RuntimeException {

    private final String code;

    public ImageFetchException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** {@code url-not-allowed}, {@code image-too-large} or {@code image-fetch-failed}. */
    public String code() {
        return code;
    }
}
