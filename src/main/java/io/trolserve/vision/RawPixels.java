package io.trolserve.vision;

import java.awt.image.ColorModel;
import java.awt.image.Raster;

/**
 * Samples as ImageIO decoded them, before any colour conversion: palette indices, 16-bit values,
 * JPEG's YCbCr or CMYK. {@code colorModel} is null for JPEG, which is read with {@code readRaster}.
 */
record RawPixels(Raster raster, ColorModel colorModel) {

    /** Reads row y as interleaved samples, (W, bands), into {@code row} (reused across rows). */
    int[] row(int y, int[] row) {
        return raster.getPixels(raster.getMinX(), raster.getMinY() + y, raster.getWidth(), 1, row);
    }

    int[] newRow() {
        return new int[raster.getWidth() * raster.getNumBands()];
    }

    int bands() {
        return raster.getNumBands();
    }
}
