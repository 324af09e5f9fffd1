package io.trolserve.model.checkpoint;

import java.nio.charset.StandardCharsets;

/**
 * The opcode stream of a pickle, read front to back. Every length is checked against the bytes that
 * are left before anything is allocated, so a lying length field fails as "truncated", not as an
 * OutOfMemoryError.
 */
final class PickleInput {

    private final byte[] code;
    private int pos;

    PickleInput(byte[] code) {
        this.code = code;
    }

    int position() {
        return pos;
    }

    int u8() {
        return take(1)[0] & 0xff;
    }

    byte[] take(long n) {
        if (n < 0 || n > code.length - pos) {
            throw new PickleException("pickle is truncated: " + n + " bytes wanted at byte " + pos
                    + ", " + (code.length - pos) + " left");
        }
        byte[] out = new byte[(int) n];
        System.arraycopy(code, pos, out, 0, (int) n);
        pos += (int) n;
        return out;
    }

    /** An unsigned little-endian length or memo index of 1, 2, 4 or 8 bytes (8 may come out negative). */
    long unsigned(int width) {
        long n = signed(width);
        return width < 8 ? n & ((1L << (8 * width)) - 1) : n;
    }

    /** A two's complement little-endian integer of up to 8 bytes, sign-extended (LONG1's payload). */
    long signed(long width) {
        if (width > 8) {
            throw new PickleException("integer of " + width + " bytes does not fit a long");
        }
        byte[] bytes = take(width);
        long value = 0;
        for (int i = bytes.length - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[i] & 0xff);
        }
        int unused = 64 - 8 * bytes.length;
        return bytes.length == 0 ? 0 : (value << unused) >> unused;
    }

    /** BINFLOAT's payload: an IEEE double, big-endian (the one big-endian field in pickle). */
    double binaryFloat() {
        long bits = 0;
        for (byte b : take(8)) {
            bits = (bits << 8) | (b & 0xff);
        }
        return Double.longBitsToDouble(bits);
    }

    String utf8(long length) {
        return new String(take(length), StandardCharsets.UTF_8);
    }

    /** GLOBAL's arguments: text up to a newline. */
    String line() {
        int end = pos;
        while (end < code.length && code[end] != '\n') {
            end++;
        }
        if (end == code.length) {
            throw new PickleException("pickle is truncated inside a GLOBAL name at byte " + pos);
        }
        String text = new String(code, pos, end - pos, StandardCharsets.UTF_8);
        pos = end + 1;
        return text;
    }
}
