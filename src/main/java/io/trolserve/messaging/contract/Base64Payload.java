package io.trolserve.messaging.contract;

/**
 * Base64 of an inline image: the standard and the URL-safe alphabet (mixed is harmless and
 * accepted), padding optional, whitespace and line breaks anywhere before the padding ignored.
 *
 * <p>{@link #decodedLength} runs first and allocates nothing: it validates the text and computes
 * the exact decoded size from the number of symbols, stopping as soon as that exceeds the limit, so
 * an oversized image is refused without decoding (or even scanning) all of it.
 */
final class Base64Payload {

    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        String std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; i++) {
            VALUES[std.charAt(i)] = (byte) i;
        }
        VALUES['-'] = 62; // URL-safe alphabet
        VALUES['_'] = 63;
    }

    private Base64Payload() {}

    /**
     * The number of bytes {@code text} decodes to.
     *
     * @throws InvalidRequestException IMAGE_TOO_LARGE beyond {@code maxBytes}, INVALID_BASE64 for a
     *     character outside the alphabets, misplaced or excess padding, or a dangling symbol
     */
    static int decodedLength(CharSequence text, int maxBytes, String path)
            throws InvalidRequestException {
        // n symbols carry 6n bits; beyond this many, the decoded size exceeds maxBytes for sure
        long maxSymbols = ((long) maxBytes * 4 + 2) / 3;
        long symbols = 0;
        int padding = 0;
        for (int i = 0, len = text.length(); i < len; i++) {
            char c = text.charAt(i);
            if (isWhitespace(c)) {
                continue;
            }
            if (c == '=') {
                padding++;
            } else if (c < 128 && VALUES[c] >= 0 && padding == 0) {
                if (++symbols > maxSymbols) {
                    throw tooLarge(path, maxBytes);
                }
            } else {
                throw invalid(path, c < 128 && VALUES[c] >= 0
                        ? "data after padding at char " + i
                        : "character " + describe(c) + " at char " + i + " is not base64");
            }
        }
        int rest = (int) (symbols % 4);
        if (rest == 1) {
            throw invalid(path, "length leaves a dangling 6-bit symbol");
        }
        if (padding > 0 && (padding > 2 || (symbols + padding) % 4 != 0)) {
            throw invalid(path, padding + " padding characters do not fit " + symbols + " symbols");
        }
        long bytes = symbols / 4 * 3 + Math.max(0, rest - 1);
        if (bytes > maxBytes) {
            throw tooLarge(path, maxBytes);
        }
        return (int) bytes;
    }

    /** Decodes text already checked by {@link #decodedLength}, into exactly {@code length} bytes. */
    static byte[] decode(CharSequence text, int length) {
        byte[] out = new byte[length];
        int bits = 0;
        int nbits = 0;
        int o = 0;
        for (int i = 0, len = text.length(); i < len && o < length; i++) {
            char c = text.charAt(i);
            if (isWhitespace(c) || c == '=') {
                continue;
            }
            bits = (bits << 6) | VALUES[c];
            nbits += 6;
            if (nbits >= 8) {
                nbits -= 8;
                out[o++] = (byte) (bits >> nbits);
                bits &= (1 << nbits) - 1; // keep only the bits not yet written
            }
        }
        return out;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private static InvalidRequestException invalid(String path, String why) {
        return Fields.fail(ErrorCode.INVALID_BASE64, path + " is not valid base64: " + why);
    }

    private static InvalidRequestException tooLarge(String path, int maxBytes) {
        return Fields.fail(ErrorCode.IMAGE_TOO_LARGE,
                path + " decodes to more than " + maxBytes + " bytes");
    }
}
