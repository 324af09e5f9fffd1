package io.trolserve.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.trolserve.testkit.Trials;

/**
 * Oracle tier: {@link PillowBicubicResize} gives the bytes Pillow 9.4's {@code Image.resize} gives
 * an RGB image (BICUBIC, the default), the resize TroL-3.8B's tiler runs (docs/TROL_3_8B.md §3.4).
 */
class PillowBicubicResizeTest {

    static List<PillowFixtures.Resize> resizes() {
        return PillowFixtures.resizes();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resizes")
    void matchesPillowByteForByte(PillowFixtures.Resize r) {
        byte[] ours = PillowBicubicResize.resize(r.inWidth(), r.inHeight(), r.rgb(), r.outWidth(), r.outHeight());

        if (r.expectedIsFile()) {
            assertThat(PillowFixtures.firstDifference(r.outWidth(), r.expectedRgb(), ours)).isNull();
        } else {
            assertThat(PillowFixtures.sha256(ours)).isEqualTo(r.expectedSha256());
        }
    }

    static List<PillowFixtures.Weights> weights() {
        return PillowFixtures.weights();
    }

    /**
     * Every fixed-point weight equals Pillow's own, for every pair of sides up to 40 and the
     * tiler's large ones: read out of Pillow through a 32-bit image whose rounding is the same
     * (pillow_resize_fixtures.py, pillow_weights). Catches what output bytes rarely show: a weight
     * off by one from a fused multiply-add or another order of the double steps.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("weights")
    void weightsArePillowsOwn(PillowFixtures.Weights w) {
        ByteBuffer matrices = ByteBuffer.allocate(w.outs().stream().mapToInt(out -> 4 * w.in() * out).sum())
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int out : w.outs()) {
            PillowBicubicTaps taps = PillowBicubicTaps.of(w.in(), out);
            int[] dense = new int[w.in() * out];   // (in, out): input r's weight in output o
            for (int o = 0; o < out; o++) {
                for (int t = 0; t < taps.count(o); t++) {
                    dense[(taps.first(o) + t) * out + o] = taps.weight(o, t);
                }
            }
            matrices.asIntBuffer().put(dense);
            matrices.position(matrices.position() + 4 * dense.length);
        }
        assertThat(PillowFixtures.sha256(matrices.array())).isEqualTo(w.sha256());
    }

    /** The fixtures reach every branch: shrinking by a lot and a little, enlarging, 1-pixel sides, a skipped pass. */
    @Test
    void fixturesCoverTheShapesThatMatter() {
        List<PillowFixtures.Resize> all = resizes();
        assertThat(all).anyMatch(r -> r.inWidth() >= 20 * r.outWidth() && r.inHeight() >= 20 * r.outHeight())
                .anyMatch(r -> r.outWidth() == r.inWidth() - 1 && r.outHeight() == r.inHeight() - 1)
                .anyMatch(r -> r.outWidth() > 4 * r.inWidth() && r.outHeight() > 4 * r.inHeight())
                .anyMatch(r -> r.outWidth() == r.inWidth() && r.outHeight() != r.inHeight())
                .anyMatch(r -> r.outHeight() == r.inHeight() && r.outWidth() != r.inWidth())
                .anyMatch(r -> r.outWidth() == r.inWidth() && r.outHeight() == r.inHeight())
                .anyMatch(r -> r.inWidth() == 1 && r.inHeight() == 1)
                .anyMatch(r -> r.outWidth() == 1 && r.outHeight() == 1)
                .anyMatch(r -> r.inWidth() == 3000 && r.inHeight() == 2 && r.outWidth() == 2688)
                .anyMatch(r -> r.input().contains("edges"));
        assertThat(all.stream().filter(PillowFixtures.Resize::expectedIsFile)).hasSizeGreaterThan(25);
    }

    /**
     * Controlled against a plain two-pass resize with Pillow's whole intermediate image: the ring
     * of rows and the early output rows change nothing, also when shrinking 100 times or more.
     */
    @Test
    void streamingEqualsAPlainTwoPassResize() {
        Trials.forAll(150, PillowBicubicResizeTest::randomCase, c -> {
            byte[] ours = PillowBicubicResize.resize(c.width, c.height, c.rgb, c.outWidth, c.outHeight);
            assertThat(PillowFixtures.firstDifference(c.outWidth, plainTwoPass(c), ours)).isNull();
        });
    }

    /** Weights sum to 2^22 within rounding, so a flat image stays flat whatever the sizes. */
    @Test
    void aFlatImageStaysFlat() {
        Trials.forAll(100, PillowBicubicResizeTest::randomCase, c -> {
            byte[] flat = new byte[3 * c.width * c.height];
            for (int i = 0; i < flat.length; i++) {
                flat[i] = c.rgb[i % 3];
            }
            byte[] out = PillowBicubicResize.resize(c.width, c.height, flat, c.outWidth, c.outHeight);
            for (int i = 0; i < out.length; i++) {
                assertThat(out[i]).as("byte %d", i).isEqualTo(c.rgb[i % 3]);
            }
        });
    }

    @Test
    void rowsNobodyNeedsMayStillBeSent() {
        SplittableRandom random = new SplittableRandom(3);
        Case c = new Case(57, 300, pixels(57, 300, random), 31, 7);
        FullSizeRgb out = new FullSizeRgb(c.outWidth, c.outHeight);
        PillowBicubicResize resize = new PillowBicubicResize(c.width, c.height, c.outWidth, c.outHeight, out);
        byte[] row = new byte[3 * c.width];
        for (int y = 0; y < c.height; y++) {
            System.arraycopy(c.rgb, 3 * y * c.width, row, 0, row.length);
            resize.row(y, row);
        }
        resize.checkComplete();

        assertThat(out.rgb()).isEqualTo(PillowBicubicResize.resize(c.width, c.height, c.rgb, c.outWidth, c.outHeight));
    }

    @Test
    void refusesRowsOutOfOrderAndAnIncompleteResult() {
        PillowBicubicResize resize = new PillowBicubicResize(4, 10, 3, 5, new FullSizeRgb(3, 5));
        resize.row(0, new byte[12]);

        assertThatThrownBy(() -> resize.row(2, new byte[12])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> resize.row(0, new byte[12])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(resize::checkComplete).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("incomplete");
        assertThatThrownBy(() -> new PillowBicubicResize(0, 1, 1, 1, new FullSizeRgb(1, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Pillow's kernel, a = -0.5, at the points where its pieces meet. */
    @Test
    void cubicKernelHasPillowsShape() {
        assertThat(PillowBicubicTaps.cubic(0.0)).isEqualTo(1.0);
        assertThat(PillowBicubicTaps.cubic(0.5)).isEqualTo(0.5625);
        assertThat(PillowBicubicTaps.cubic(-1.0)).isEqualTo(0.0);
        assertThat(PillowBicubicTaps.cubic(1.5)).isEqualTo(-0.0625);
        assertThat(PillowBicubicTaps.cubic(2.0)).isEqualTo(0.0);
    }

    record Case(int width, int height, byte[] rgb, int outWidth, int outHeight) {

        @Override
        public String toString() {
            return width + "x" + height + " -> " + outWidth + "x" + outHeight;
        }
    }

    /** Sides 1..2000 in, 1..300 out, either way round; pixels noise, saturated or a ramp. */
    static Case randomCase(SplittableRandom random) {
        int width = side(random, 2000);
        int height = side(random, width > 400 ? 60 : 2000);
        return new Case(width, height, pixels(width, height, random), side(random, 300), side(random, 300));
    }

    private static int side(SplittableRandom random, int max) {
        return 1 + random.nextInt(random.nextBoolean() ? 12 : max);
    }

    static byte[] pixels(int width, int height, SplittableRandom random) {
        byte[] rgb = new byte[3 * width * height];
        switch (random.nextInt(3)) {
            case 0 -> random.nextBytes(rgb);
            case 1 -> {
                for (int i = 0; i < rgb.length; i++) {
                    rgb[i] = random.nextBoolean() ? 0 : (byte) 255;
                }
            }
            default -> {
                for (int i = 0; i < rgb.length; i++) {
                    rgb[i] = (byte) (i / 3 % width * 255 / Math.max(width - 1, 1));
                }
            }
        }
        return rgb;
    }

    /** Pillow's ImagingResampleInner as written: horizontal over every row into a whole image, then vertical. */
    static byte[] plainTwoPass(Case c) {
        byte[] mid = c.width == c.outWidth ? c.rgb : pass(c.rgb, c.height, c.width, PillowBicubicTaps.of(c.width, c.outWidth), true);
        return c.height == c.outHeight ? mid.clone() : pass(mid, c.outWidth, c.height, PillowBicubicTaps.of(c.height, c.outHeight), false);
    }

    /** One axis: {@code lines} lines of {@code length} samples along it (horizontal) or across it (vertical). */
    private static byte[] pass(byte[] in, int lines, int length, PillowBicubicTaps taps, boolean horizontal) {
        int width = horizontal ? length : lines;
        int outWidth = horizontal ? taps.size() : lines;
        byte[] out = new byte[3 * outWidth * (horizontal ? lines : taps.size())];
        for (int line = 0; line < lines; line++) {
            for (int o = 0; o < taps.size(); o++) {
                for (int ch = 0; ch < 3; ch++) {
                    int sum = PillowBicubicTaps.HALF;
                    for (int t = 0; t < taps.count(o); t++) {
                        int s = taps.first(o) + t;
                        int at = horizontal ? 3 * (line * width + s) + ch : 3 * (s * width + line) + ch;
                        sum += (in[at] & 0xFF) * taps.weight(o, t);
                    }
                    int to = horizontal ? 3 * (line * outWidth + o) + ch : 3 * (o * outWidth + line) + ch;
                    out[to] = (byte) PillowBicubicTaps.toByte(sum);
                }
            }
        }
        return out;
    }
}
