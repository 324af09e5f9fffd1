package io.trolserve.vision;

import java.util.Arrays;

/**
 * Pillow's {@code Image.resize((w, h))} of an RGB image with its default filter, BICUBIC, bit-exact
 * (Pillow 9.4 {@code ImagingResampleInner}, docs/TROL_3_8B.md §3.4): the resize TroL-3.8B's tiler
 * runs. Weights and rounding in {@link PillowBicubicTaps}. Not the libtorch-exact
 * {@link BicubicResizer} the InternLM2 variant uses: another kernel, and antialiased.
 *
 * <p>Pillow's order is kept: a horizontal pass over only the input rows some vertical window
 * needs, into uint8 rows (rounded and clamped there), then the vertical pass. A pass whose size
 * does not change is skipped; equal sizes are a copy. Pillow holds the whole horizontally resized
 * image; here the vertical windows only move down, so a ring of the last {@code maxCount} rows
 * suffices and an output row goes downstream as soon as its window is complete:
 *
 * <pre>
 *   input row y ──horizontal──▶ ring[y % n] ──vertical, once y ends out row o's window──▶ downstream.row(o)
 * </pre>
 *
 * Memory is n rows of the output width (n = 5 when enlarging, about 4 x in/out + 3 when shrinking)
 * besides the taps, whatever the input's size. Rows arrive top to bottom; those no window needs
 * may be skipped ({@link #wantsRow}) and are ignored if sent.
 */
final class PillowBicubicResize implements RgbRowSink {

    private final int inWidth;
    private final int outWidth;
    private final int outHeight;
    private final PillowBicubicTaps horizontal;   // null: widths equal, pass skipped
    private final PillowBicubicTaps vertical;     // null: heights equal, pass skipped
    private final byte[][] ring;                  // (n, outWidth * 3): horizontally resized row y at y % n
    private final byte[] outRow;                  // (outWidth, 3), handed downstream and reused
    private final int[] sums;                     // (outWidth * 3) the vertical pass's accumulators
    private final RgbRowSink downstream;
    private int nextOut;                          // first output row not written yet
    private int lastRow = -1;                     // last input row taken

    PillowBicubicResize(int inWidth, int inHeight, int outWidth, int outHeight, RgbRowSink downstream) {
        if (inWidth <= 0 || inHeight <= 0 || outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException(
                    "sizes must be positive: " + inWidth + "x" + inHeight + " -> " + outWidth + "x" + outHeight);
        }
        this.inWidth = inWidth;
        this.outWidth = outWidth;
        this.outHeight = outHeight;
        this.horizontal = inWidth == outWidth ? null : PillowBicubicTaps.of(inWidth, outWidth);
        this.vertical = inHeight == outHeight ? null : PillowBicubicTaps.of(inHeight, outHeight);
        this.ring = vertical == null ? null : new byte[vertical.maxCount()][3 * outWidth];
        this.outRow = new byte[3 * outWidth];
        this.sums = vertical == null ? null : new int[3 * outWidth];
        this.downstream = downstream;
    }

    /** The whole (outHeight, outWidth, 3) resize of an (height, width, 3) image. */
    static byte[] resize(int width, int height, byte[] rgb, int outWidth, int outHeight) {
        FullSizeRgb out = new FullSizeRgb(outWidth, outHeight);
        PillowBicubicResize resize = new PillowBicubicResize(width, height, outWidth, outHeight, out);
        RgbRows.feed(width, height, rgb, resize);
        resize.checkComplete();
        return out.rgb();
    }

    @Override
    public boolean wantsRow(int y) {
        return vertical == null || (nextOut < outHeight && y >= vertical.first(nextOut));
    }

    @Override
    public void row(int y, byte[] rgb) {
        if (!wantsRow(y)) {
            return;
        }
        if (y <= lastRow || (y > lastRow + 1 && wantsRow(lastRow + 1))) {
            throw new IllegalStateException("row " + y + " after row " + lastRow + ": wanted rows come in order");
        }
        lastRow = y;
        if (vertical == null) {
            resizeRow(rgb, outRow);
            downstream.row(nextOut++, outRow);
            return;
        }
        resizeRow(rgb, ring[y % ring.length]);
        while (nextOut < outHeight && vertical.end(nextOut) - 1 <= y) {
            writeOutputRow(nextOut++);
        }
    }

    /** The horizontal pass for one row, (inWidth, 3) -> (outWidth, 3). */
    private void resizeRow(byte[] rgb, byte[] dst) {
        if (horizontal == null) {
            System.arraycopy(rgb, 0, dst, 0, 3 * inWidth);
            return;
        }
        for (int o = 0; o < outWidth; o++) {
            int from = 3 * horizontal.first(o);
            int r = PillowBicubicTaps.HALF;
            int g = PillowBicubicTaps.HALF;
            int b = PillowBicubicTaps.HALF;
            for (int t = 0; t < horizontal.count(o); t++) {
                int w = horizontal.weight(o, t);
                r += (rgb[from + 3 * t] & 0xFF) * w;
                g += (rgb[from + 3 * t + 1] & 0xFF) * w;
                b += (rgb[from + 3 * t + 2] & 0xFF) * w;
            }
            dst[3 * o] = (byte) PillowBicubicTaps.toByte(r);
            dst[3 * o + 1] = (byte) PillowBicubicTaps.toByte(g);
            dst[3 * o + 2] = (byte) PillowBicubicTaps.toByte(b);
        }
    }

    /**
     * The vertical pass for output row o, tap by tap over whole rows. The int32 sums are exact
     * (or wrap alike in any order), so the order of the taps does not change a byte.
     */
    private void writeOutputRow(int o) {
        Arrays.fill(sums, PillowBicubicTaps.HALF);
        for (int t = 0; t < vertical.count(o); t++) {
            byte[] source = ring[(vertical.first(o) + t) % ring.length];
            int w = vertical.weight(o, t);
            for (int i = 0; i < sums.length; i++) {
                sums[i] += (source[i] & 0xFF) * w;
            }
        }
        for (int i = 0; i < sums.length; i++) {
            outRow[i] = (byte) PillowBicubicTaps.toByte(sums[i]);
        }
        downstream.row(o, outRow);
    }

    /** Whether every output row has gone downstream. */
    boolean complete() {
        return nextOut == outHeight;
    }

    void checkComplete() {
        if (!complete()) {
            throw new IllegalStateException("resize incomplete: " + nextOut + " of " + outHeight + " rows written");
        }
    }
}
