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
        /** width * height exceeds the limit; decided from the header, before any pixel is decoded. */
        TOO_MANY_PIXELS
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

    static ImageDecodeException corrupt(String message) {
        return new ImageDecodeException(Code.CORRUPT_IMAGE, message);
    }

    static ImageDecodeException unsupported(String message) {
        return new ImageDecodeException(Code.UNSUPPORTED_FORMAT, message);
    }
}
