package io.trolserve.vision;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What {@code tools/reference/pillow_resize_fixtures.py} wrote under
 * {@code src/test/resources/vision/pillow/}: Pillow 9.4's bicubic resizes, the official tile
 * choice, and whole tile sets.
 */
final class PillowFixtures {

    static final String DIR = "/vision/pillow/";

    private PillowFixtures() {}

    /** A resize: an (inHeight, inWidth, 3) input and what PIL's {@code resize((outWidth, outHeight))} gave. */
    record Resize(String name, String input, int inWidth, int inHeight, int outWidth, int outHeight, String expected) {

        byte[] rgb() {
            return read(input);
        }

        /** PIL's output bytes; only for the cases kept as a file, the large ones are kept as a hash. */
        boolean expectedIsFile() {
            return !expected.startsWith("sha256:");
        }

        byte[] expectedRgb() {
            return read(expected);
        }

        String expectedSha256() {
            return expected.substring("sha256:".length());
        }

        @Override
        public String toString() {
            return name + " (" + inWidth + "x" + inHeight + " -> " + outWidth + "x" + outHeight + ")";
        }
    }

    /**
     * Pillow's own fixed-point weights for input side {@code in} and each output side listed, as
     * the SHA-256 of their (in, out) int32 matrices, little-endian, concatenated.
     */
    record Weights(int in, List<Integer> outs, String sha256) {

        @Override
        public String toString() {
            return in + " -> " + (outs.size() == 1 ? outs.get(0) : outs.get(0) + ".." + outs.get(outs.size() - 1));
        }
    }

    /** The official choice for one size. */
    record Choice(int width, int height, TileGrid grid) {}

    /** A whole tile set: the input, the grid, the SHA-256 of each tile, maybe all tiles as a PNG. */
    record Tiles(String name, String input, int width, int height, TileGrid grid, List<String> sha256s, String expected) {

        /** The input's RGB bytes, decoded from the PNG (byte-identical to PIL, PilEquivalenceTest) or raw. */
        byte[] rgb() {
            byte[] bytes = read(input);
            return input.endsWith(".png") ? ImageDecoder.decode(bytes, 1 << 24).rgb() : bytes;
        }

        /** (N * 448, 448, 3): every tile, thumbnail last; null when only the hashes were kept. */
        byte[] expectedRgb() {
            return expected.equals("-") ? null : ImageDecoder.decode(read(expected), 1 << 24).rgb();
        }

        @Override
        public String toString() {
            return name + " (" + width + "x" + height + ")";
        }
    }

    static List<Resize> resizes() {
        return rows("resize.tsv").stream().map(f -> new Resize(f[0], f[1], Integer.parseInt(f[2]),
                Integer.parseInt(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5]), f[6])).toList();
    }

    static List<Weights> weights() {
        return rows("weights.tsv").stream().map(f -> {
            int in = Integer.parseInt(f[0]);
            List<Integer> outs = f[1].equals("1-40")
                    ? IntStream.rangeClosed(1, 40).filter(out -> out != in).boxed().toList()
                    : List.of(Integer.parseInt(f[1]));
            return new Weights(in, outs, f[2]);
        }).toList();
    }

    static List<Choice> choices() {
        return rows("choice.tsv").stream().map(f -> new Choice(Integer.parseInt(f[0]), Integer.parseInt(f[1]),
                new TileGrid(Integer.parseInt(f[2]), Integer.parseInt(f[3])))).toList();
    }

    static List<Tiles> tileSets() {
        return rows("tiles.tsv").stream().map(f -> new Tiles(f[0], f[1], Integer.parseInt(f[2]),
                Integer.parseInt(f[3]), new TileGrid(Integer.parseInt(f[4]), Integer.parseInt(f[5])),
                List.of(f[6].split(",")), f[7])).toList();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    /**
     * Where two (H, W, 3) images first differ, or null when they are equal: a readable failure.
     */
    static String firstDifference(int width, byte[] expected, byte[] actual) {
        if (expected.length != actual.length) {
            return "length " + actual.length + ", expected " + expected.length;
        }
        int count = 0;
        int first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                count++;
                first = first < 0 ? i : first;
            }
        }
        if (count == 0) {
            return null;
        }
        int pixel = first / 3;
        return String.format("%d bytes differ; first at x=%d y=%d channel %d: %d, Pillow %d", count, pixel % width,
                pixel / width, first % 3, actual[first] & 0xFF, expected[first] & 0xFF);
    }

    private static List<String[]> rows(String resource) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open(resource), StandardCharsets.UTF_8))) {
            return r.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).map(line -> line.split("\t"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(String resource) {
        try (InputStream in = open(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = PillowFixtures.class.getResourceAsStream(DIR + resource);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + DIR + resource);
        }
        return in;
    }
}
