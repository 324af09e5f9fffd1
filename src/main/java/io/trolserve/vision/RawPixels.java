package io.trolserve.vision;

import java.awt.image.ColorModel;
import java.awt.image.Raster;

/**
 * Samples as ImageIO decoded them, before any colour conversion: palette indices, 16-bit values,
 * JPEG's YCbCr or CMYK. {@code colorModel} is null for JPEG, which is read with {@code readRaster}.
 *
 * <p>Rows are read in spans of at most {@link #SPAN} pixels, so the int buffer stays small however
 * wide the image is (a row of a 60000-pixel-wide RGBA image would be 1 MB of ints).
 */
record RawPixels(Raster raster, ColorModel colorModel) {

    static final int SPAN = 1024;

    /** A buffer for {@link #span}: up to SPAN pixels of interleaved samples. */
    int[] newSpan() {
        return new int[SPAN * bands()];
    }

    /**
     * Reads pixels [x, x + n) of row y as interleaved samples, (n, bands), into {@code samples}.
     *
     * @return n = min(SPAN, width - x)
     */
    int span(int y, int x, int[] samples) {
        int n = Math.min(SPAN, raster.getWidth() - x);
        raster.getPixels(raster.getMinX() + x, raster.getMinY() + y, n, 1, samples);
        return n;
    }

    int bands() {
        return raster.getNumBands();
    }

    /** Converts n pixels of interleaved samples, (n, bands), to RGB bytes from {@code rgb[offset]}. */
    @FunctionalInterface
    interface SpanToRgb {
        void convert(int[] samples, int n, byte[] rgb, int offset);
    }

    /** Every row the sink wants, converted span by span: for formats whose raster is the whole image. */
    void toRgbRows(RgbRowSink sink, SpanToRgb toRgb) {
        int width = raster.getWidth();
        int[] samples = newSpan();
        byte[] row = new byte[3 * width];
        for (int y = 0; y < raster.getHeight(); y++) {
            if (sink.wantsRow(y)) {
                for (int x = 0; x < width; ) {
                    int n = span(y, x, samples);
                    toRgb.convert(samples, n, row, 3 * x);
                    x += n;
                }
                sink.row(y, row);
            }
        }
    }
}
