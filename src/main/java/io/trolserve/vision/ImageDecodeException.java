package io.trolserve.vision;

/**
 * An image the service refuses. {@link #code()} is what a client gets back as the error reason; the
 * message is for operators and names what was wrong (format, size, offending chunk or marker).
 */
public class ImageDecodeException extends RuntimeException {

    /** Machine-readable reason; stable names, used on the wire. */
    public enum Code {
        /** Zero bytes. */
        EMPTY_IMAGE,
        /** Not PNG, JPEG, GIF or BMP by its magic bytes, or a variant of those we cannot decode. */
        UNSUPPORTED_FORMAT,
        /** Truncated or invalid data. */
        CORRUPT_IMAGE,
        /**
         * width * height exceeds the limit, or a side is longer than 65535; decided from the header,
         * before any pixel is decoded.
         */
        TOO_MANY_PIXELS,
        /** Decoding ran past its time limit and was stopped. */
        DECODE_TIMEOUT
    }

    private final Code code;

    public ImageDecodeException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public ImageDecodeException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }

    /** The code as it goes on the wire: {@code corrupt-image}, {@code decode-timeout}, ... */
    public String wireName() {
        return code.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    static ImageDecodeException corrupt(String message) {
        return new ImageDecodeException(Code.CORRUPT_IMAGE, message);
    }

    static ImageDecodeException unsupported(String message) {
        return new ImageDecodeException(Code.UNSUPPORTED_FORMAT, message);
    }
}
