package io.trolserve.vision;

/**
 * Bounds-checked reads of header fields from the encoded bytes. Any read past the end means the
 * header is cut short; it becomes {@code CORRUPT_IMAGE}, never an index exception.
 */
final class HeaderBytes {

    private final byte[] b;
    private final String format;

    HeaderBytes(byte[] b, String format) {
        this.b = b;
        this.format = format;
    }

    int length() {
        return b.length;
    }

    byte[] array() {
        return b;
    }

    int u8(long pos) {
        require(pos, 1);
        return b[(int) pos] & 0xFF;
    }

    int u16be(long pos) {
        return (u8(pos) << 8) | u8(pos + 1);
    }

    int u16le(long pos) {
        return u8(pos) | (u8(pos + 1) << 8);
    }

    /** An unsigned 32-bit big-endian field, as a long so that values over 2^31 stay visible. */
    long u32be(long pos) {
        return ((long) u16be(pos) << 16) | u16be(pos + 2);
    }

    int s32le(long pos) {
        return u16le(pos) | (u16le(pos + 2) << 16);
    }

    boolean matches(long pos, String ascii) {
        if (pos < 0 || pos + ascii.length() > b.length) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (b[(int) pos + i] != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    void require(long pos, long count) {
        if (pos < 0 || count < 0 || pos + count > b.length) {
            throw ImageDecodeException.corrupt(format + " data ends early (" + b.length + " bytes)");
        }
    }

    ImageDecodeException corrupt(String problem) {
        return ImageDecodeException.corrupt(format + ": " + problem);
    }
}
