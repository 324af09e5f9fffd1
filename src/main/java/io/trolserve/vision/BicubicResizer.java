package io.trolserve.vision;

/**
 * libtorch's uint8 bicubic resize ({@code upsample_bicubic2d}, align_corners=false), fed one input
 * row at a time; weights and rounding in {@link BicubicTaps}.
 *
 * <p>Which kernel that is, in libtorch 2.10 ({@code aten/src/ATen/native/cpu/UpSampleKernel.cpp},
 * {@code UpSampleKernelAVXAntialias.h}): {@code upsample_bicubic2d_kernel_impl} sends a uint8
 * input of at most 4 channels to {@code upsample_avx_bilinear_bicubic_uint8} when built for AVX2.
 * The presets' {@code libtorch_cpu.so} holds a DEFAULT and an AVX2 build of that file and no
 * AVX512 one, so a CPU with AVX2 or AVX-512 runs the AVX2 kernel (its assertion messages name
 * {@code UpSampleKernelAVXAntialias.h}); without AVX2 the generic
 * {@code separable_upsample_generic_Nd_kernel_impl} runs, with the same int16 weights and integer
 * sums. Both are two separable passes over a uint8 image: horizontal first, into a uint8 buffer of
 * (in height, out width), rounded and clamped there, not kept in higher precision; then
 * vertical. A pass whose size does not change is skipped, and equal sizes are a plain copy.
 *
 * <p>Each vertical window is at most 4 consecutive rows and the windows only move down, so only
 * the last 4 horizontally resized rows are kept, and an output row is written as soon as its
 * window is complete:
 *
 * <pre>
 *   input row y ──horizontal──▶ window[y % 4] ──vertical, when y ends out row o's window──▶ out[o]
 * </pre>
 *
 * Memory is therefore 4 rows plus the output, however large the input. Rows above the next
 * window are not wanted ({@link #wantsRow}); the result is the same since libtorch's buffer rows
 * outside every window are never read.
 */
final class BicubicResizer implements RgbRowSink {

    private final int inWidth;
    private final int outWidth;
    private final int outHeight;
    private final BicubicTaps horizontal;   // null: widths equal, pass skipped
    private final BicubicTaps vertical;     // null: heights equal, pass skipped
    private final byte[][] window;          // (4, outWidth * 3): horizontally resized row y at y % 4
    private final byte[] out;               // (outHeight, outWidth, 3)
    private int nextOut;                    // first output row not written yet

    BicubicResizer(int inWidth, int inHeight, int outWidth, int outHeight) {
        this.inWidth = inWidth;
        this.outWidth = outWidth;
        this.outHeight = outHeight;
        this.horizontal = inWidth == outWidth ? null : BicubicTaps.of(inWidth, outWidth);
        this.vertical = inHeight == outHeight ? null : BicubicTaps.of(inHeight, outHeight);
        this.window = vertical == null ? null : new byte[BicubicTaps.TAPS][3 * outWidth];
        this.out = new byte[3 * outWidth * outHeight];
    }

    @Override
    public boolean wantsRow(int y) {
        return vertical == null || (nextOut < outHeight && y >= vertical.first(nextOut));
    }

    @Override
    public void row(int y, byte[] rgb) {
        if (vertical == null) {
            resizeRow(rgb, out, 3 * y * outWidth);
            nextOut = y + 1;
            return;
        }
        resizeRow(rgb, window[y % BicubicTaps.TAPS], 0);
        while (nextOut < outHeight && vertical.first(nextOut) + vertical.count(nextOut) - 1 <= y) {
            writeOutputRow(nextOut++);
        }
    }

    /** The horizontal pass for one row, (inWidth, 3) -> (outWidth, 3) at {@code dst[at]}. */
    private void resizeRow(byte[] rgb, byte[] dst, int at) {
        if (horizontal == null) {
            System.arraycopy(rgb, 0, dst, at, 3 * inWidth);
            return;
        }
        for (int o = 0; o < outWidth; o++) {
            int from = 3 * horizontal.first(o);
            for (int c = 0; c < 3; c++) {
                int sum = 0;
                for (int t = 0; t < horizontal.count(o); t++) {
                    sum += (rgb[from + 3 * t + c] & 0xFF) * horizontal.weight(o, t);
                }
                dst[at + 3 * o + c] = (byte) horizontal.toByte(sum);
            }
        }
    }

    /** The vertical pass for output row o, from the window rows its taps cover. */
    private void writeOutputRow(int o) {
        int first = vertical.first(o);
        int at = 3 * o * outWidth;
        for (int i = 0; i < 3 * outWidth; i++) {
            int sum = 0;
            for (int t = 0; t < vertical.count(o); t++) {
                sum += (window[(first + t) % BicubicTaps.TAPS][i] & 0xFF) * vertical.weight(o, t);
            }
            out[at + i] = (byte) vertical.toByte(sum);
        }
    }

    /** (outHeight, outWidth, 3) once every wanted row has arrived. */
    byte[] rgb() {
        if (nextOut != outHeight) {
            throw new IllegalStateException("resize incomplete: " + nextOut + " of " + outHeight + " rows written");
        }
        return out;
    }
}
