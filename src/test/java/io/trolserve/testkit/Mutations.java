package io.trolserve.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Byte-level mutations of a valid input, as a fuzzer makes them: bit flips, byte overwrites with
 * interesting values, truncation, insertion, deletion, duplicated and swapped chunks. A mutant of
 * a valid file exercises the parser's deep paths that random bytes never reach.
 */
public final class Mutations {

    private static final byte[] INTERESTING = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) 0xfe, '"', '\\',
            '{', '}', '[', ']', ':', ',', '0', '9', 'e', '-', '.'};

    private Mutations() {
    }

    /** One to {@code maxEdits} random edits of {@code valid}; never returns the input array itself. */
    public static byte[] mutate(byte[] valid, SplittableRandom random, int maxEdits) {
        byte[] out = valid.clone();
        int edits = 1 + random.nextInt(maxEdits);
        for (int e = 0; e < edits; e++) {
            out = edit(out, random);
        }
        return out;
    }

    /** Uniformly random bytes, 0 to {@code maxLength} of them. */
    public static byte[] randomBytes(SplittableRandom random, int maxLength) {
        byte[] out = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(out);
        return out;
    }

    /** The first bytes as text when printable, else as hex, for failure messages. */
    public static String preview(byte[] bytes) {
        byte[] head = Arrays.copyOf(bytes, Math.min(bytes.length, 48));
        String text = new String(head, StandardCharsets.ISO_8859_1);
        return text.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? '"' + text + '"' : HexFormat.of().formatHex(head);
    }

    private static byte[] edit(byte[] in, SplittableRandom random) {
        if (in.length == 0) {
            return new byte[] {INTERESTING[random.nextInt(INTERESTING.length)]};
        }
        int at = random.nextInt(in.length);
        return switch (random.nextInt(7)) {
            case 0 -> flipBit(in, at, random.nextInt(8));
            case 1 -> set(in, at, INTERESTING[random.nextInt(INTERESTING.length)]);
            case 2 -> set(in, at, (byte) random.nextInt(256));
            case 3 -> Arrays.copyOf(in, at);                                    // truncate
            case 4 -> splice(in, at, 1 + random.nextInt(Math.min(16, in.length - at)), new byte[0]);   // delete
            case 5 -> splice(in, at, 0, chunk(in, random));                     // duplicate a chunk here
            default -> splice(in, at, 0, Mutations.randomBytes(random, 8));     // insert noise
        };
    }

    private static byte[] flipBit(byte[] in, int at, int bit) {
        byte[] out = in.clone();
        out[at] ^= (byte) (1 << bit);
        return out;
    }

    private static byte[] set(byte[] in, int at, byte value) {
        byte[] out = in.clone();
        out[at] = value;
        return out;
    }

    private static byte[] chunk(byte[] in, SplittableRandom random) {
        int from = random.nextInt(in.length);
        int length = 1 + random.nextInt(Math.min(64, in.length - from));
        return Arrays.copyOfRange(in, from, from + length);
    }

    /** {@code in} with {@code removed} bytes at {@code at} replaced by {@code inserted}. */
    private static byte[] splice(byte[] in, int at, int removed, byte[] inserted) {
        byte[] out = new byte[in.length - removed + inserted.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(in, at + removed, out, at + inserted.length, in.length - at - removed);
        return out;
    }
}
