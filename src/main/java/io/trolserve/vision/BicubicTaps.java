package io.trolserve.vision;

/**
 * The fixed-point taps of one axis of libtorch's uint8 bicubic resize, as libtorch 2.10 computes
 * them for {@code upsample_bicubic2d} on a uint8 tensor with align_corners=false and no scale
 * factor ({@code HelperInterpCubic::compute_index_ranges_int16_weights} and
 * {@code HelperInterpBase::_compute_indices_min_size_weights} in
 * {@code aten/src/ATen/native/cpu/UpSampleKernel.cpp}). The float steps follow the AVX2 build of
 * the presets' {@code libtorch_cpu.so}, where GCC fused multiply-adds: each {@code Math.fma} below
 * is a {@code vfmadd} there (the DEFAULT build has none; no case tested tells them apart).
 *
 * <pre>
 *   scale        = in / out                                   (double)
 *   real(o)      = fma(scale, o + 0.5, -0.5)                  source position, may be negative
 *   index(o)     = min(floor((float) real), in - 1)           floorf: rounded to float first!
 *   lambda(o)    = clamp(real - index, 0, 1)
 *   window(o)    = [max(index - 1, 0), min(index + 3, in))    at most 4 input samples
 *   w_j          = cubic(j - 1 - lambda), a = -0.75, j = 0..3; taps that fall outside the
 *                  input are added to the first / last sample of the window (edge replication)
 *   precision    = first p with round(maxW * 2^(p+1)) >= 2^15, maxW over every running sum above
 *   weight       = (short) trunc(w * 2^p +- 0.5)              int16, round half away from zero
 * </pre>
 *
 * The output of a sample is {@code clamp((2^(p-1) + sum(pixel * weight)) >> p, 0, 255)}: exact
 * int32 arithmetic, as in {@code ImagingResampleHorizontalConvolution8u} and
 * {@code ImagingResampleVerticalConvolution8u} ({@code UpSampleKernelAVXAntialias.h}).
 */
final class BicubicTaps {

    static final int TAPS = 4;

    private final int[] first;      // (out) first input index of each output's window
    private final int[] count;      // (out) window length, 1..4
    private final short[] weights;  // (out, 4) fixed-point weights; taps past count unused
    private final int precision;    // fraction bits of the weights

    private BicubicTaps(int[] first, int[] count, short[] weights, int precision) {
        this.first = first;
        this.count = count;
        this.weights = weights;
        this.precision = precision;
    }

    static BicubicTaps of(int in, int out) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + in + " -> " + out);
        }
        double scale = (double) in / out;
        int[] first = new int[out];
        int[] count = new int[out];
        double[] w = new double[out * TAPS];
        double maxW = 0.0;
        for (int o = 0; o < out; o++) {
            double real = Math.fma(scale, o + 0.5, -0.5);
            long index = Math.min((long) Math.floor((float) real), in - 1L);
            double lambda = Math.min(Math.max(real - index, 0.0), 1.0);
            long unboundFirst = index - 1;
            first[o] = (int) Math.max(unboundFirst, 0);
            count[o] = (int) Math.max(0, Math.min(Math.min(index + 3, in) - first[o], TAPS));
            maxW = edgeFolded(w, o * TAPS, unboundFirst, count[o], in, lambda, maxW);
        }
        int precision = precision(maxW);
        short[] weights = new short[w.length];
        for (int i = 0; i < w.length; i++) {
            double v = w[i] * (1 << precision);
            weights[i] = (short) (int) (v < 0 ? v - 0.5 : v + 0.5);
        }
        return new BicubicTaps(first, count, weights, precision);
    }

    /**
     * The 4 cubic weights of one output, taps outside [0, in) folded onto the window's edge
     * samples, as {@code _compute_indices_min_size_weights} does. Its running maximum includes
     * partial sums of a folded tap, so it is kept exactly that way: it decides the precision.
     */
    private static double edgeFolded(double[] w, int at, long unboundFirst, int count, int in, double lambda,
                                     double maxW) {
        int slot = 0;
        for (int j = 0; j < TAPS; j++) {
            double f = cubic((double) (j - 1) - lambda);
            if (unboundFirst + j <= 0) {
                slot = 0;
            } else if (unboundFirst + j >= in - 1) {
                slot = count - 1;
            }
            w[at + slot] += f;
            maxW = Math.max(maxW, w[at + slot]);
            slot++;
        }
        return maxW;
    }

    /** Keys' cubic convolution with a = -0.75 ({@code aa_filter<double, false>}), FMA as compiled. */
    static double cubic(double x) {
        x = Math.abs(x);
        if (x < 1.0) {
            double t = Math.fma(1.25, x, -2.25);   // (a + 2) x - (a + 3)
            return Math.fma(x, x * t, 1.0);
        }
        if (x < 2.0) {
            double t = Math.fma(-0.75, x, 3.75);   // a x - 5a
            t = Math.fma(t, x, -6.0);              // (...) x + 8a
            return Math.fma(t, x, 3.0);            // (...) x - 4a
        }
        return 0.0;
    }

    /** The largest p (at most 22) that keeps round(maxW * 2^(p+1)) below 2^15, as libtorch picks it. */
    private static int precision(double maxW) {
        int p = 0;
        for (; p < 22; p++) {
            if ((int) (0.5 + maxW * (1 << (p + 1))) >= 1 << 15) {
                break;
            }
        }
        return p;
    }

    int first(int out) {
        return first[out];
    }

    int count(int out) {
        return count[out];
    }

    int size() {
        return first.length;
    }

    short weight(int out, int tap) {
        return weights[out * TAPS + tap];
    }

    /** sum(pixel * weight) over a window to the output byte: round half up, then clamp. */
    int toByte(int sum) {
        int v = (sum + (1 << (precision - 1))) >> precision;
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
