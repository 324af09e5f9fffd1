package io.trolserve.vision;

/**
 * The fixed-point taps of one axis of Pillow's bicubic resize, as Pillow 9.4 computes them
 * ({@code precompute_coeffs} and {@code normalize_coeffs_8bpc} in {@code src/libImaging/Resample.c};
 * docs/TROL_3_8B.md §3.4). Not libtorch's kernel ({@link BicubicTaps}): Pillow antialiases, so a
 * downscale widens the window, and its cubic has a = -0.5.
 *
 * <pre>
 *   scale        = in / out                                   (double; Pillow's float box edges are exact here)
 *   filterScale  = max(scale, 1)                              antialiasing: the kernel stretches when shrinking
 *   support      = 2 * filterScale                            in input pixels, each side of the centre
 *   center(o)    = (o + 0.5) * scale
 *   window(o)    = [max((int) (center - support + 0.5), 0), min((int) (center + support + 0.5), in))
 *   w_x          = cubic((x - center + 0.5) * (1 / filterScale)), a = -0.5, x over the window
 *   weight       = (int) (w / sum(w) * 2^22 +- 0.5)           round half away from zero
 * </pre>
 *
 * Every double step is kept in Pillow's order (x86-64 builds have no fused multiply-add: none here
 * either). A sample is {@code clamp((2^21 + sum(pixel * weight)) >> 22, 0, 255)} in int32, as in
 * {@code ImagingResampleHorizontal_8bpc} and {@code ImagingResampleVertical_8bpc}.
 */
final class PillowBicubicTaps {

    /** 8 bits of result and 2 of headroom for the kernel's negative lobes in an int32 sum. */
    static final int PRECISION_BITS = 32 - 8 - 2;
    /** Where every sum starts: adding one half before the shift rounds it. */
    static final int HALF = 1 << (PRECISION_BITS - 1);
    private static final double SUPPORT = 2.0;

    private final int[] first;    // (out) first input index of each output's window
    private final int[] count;    // (out) window length
    private final int[] weights;  // (out, stride) fixed-point weights; taps past count are 0
    private final int stride;     // Pillow's ksize: the most taps any window can have

    private PillowBicubicTaps(int[] first, int[] count, int[] weights, int stride) {
        this.first = first;
        this.count = count;
        this.weights = weights;
        this.stride = stride;
    }

    static PillowBicubicTaps of(int in, int out) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + in + " -> " + out);
        }
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int stride = (int) Math.ceil(support) * 2 + 1;
        double inverse = 1.0 / filterScale;
        int[] first = new int[out];
        int[] count = new int[out];
        int[] weights = new int[Math.multiplyExact(out, stride)];
        double[] w = new double[stride];
        for (int o = 0; o < out; o++) {
            double center = (o + 0.5) * scale;
            first[o] = Math.max((int) (center - support + 0.5), 0);
            count[o] = Math.min((int) (center + support + 0.5), in) - first[o];
            double sum = 0.0;
            for (int x = 0; x < count[o]; x++) {
                w[x] = cubic((x + first[o] - center + 0.5) * inverse);
                sum += w[x];
            }
            for (int x = 0; x < count[o]; x++) {
                weights[o * stride + x] = fixedPoint(sum != 0.0 ? w[x] / sum : w[x]);
            }
        }
        return new PillowBicubicTaps(first, count, weights, stride);
    }

    /** Pillow's {@code bicubic_filter}: Keys' cubic convolution with a = -0.5. */
    static double cubic(double x) {
        x = Math.abs(x);
        if (x < 1.0) {
            return (1.5 * x - 2.5) * x * x + 1;             // ((a + 2) x - (a + 3)) x x + 1
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * -0.5;      // (((x - 5) x + 8) x - 4) a
        }
        return 0.0;
    }

    private static int fixedPoint(double w) {
        double scaled = w * (1 << PRECISION_BITS);
        return (int) (w < 0 ? -0.5 + scaled : 0.5 + scaled);
    }

    int first(int out) {
        return first[out];
    }

    int count(int out) {
        return count[out];
    }

    /** One past the last input index of output {@code out}'s window. */
    int end(int out) {
        return first[out] + count[out];
    }

    int size() {
        return first.length;
    }

    /** The longest window: how many input rows a vertical pass must hold at once. */
    int maxCount() {
        int max = 0;
        for (int c : count) {
            max = Math.max(max, c);
        }
        return max;
    }

    int weight(int out, int tap) {
        return weights[out * stride + tap];
    }

    /** A window's sum, started at {@link #HALF}, to the output byte. */
    static int toByte(int sum) {
        int v = sum >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
