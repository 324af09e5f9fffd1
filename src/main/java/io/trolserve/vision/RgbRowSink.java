package io.trolserve.vision;

/**
 * Where a format's RGB rows go, top to bottom: into a whole image ({@link FullSizeRgb}) or straight
 * into the resize ({@link BicubicResizer}), so that a full-size RGB copy need never exist.
 */
interface RgbRowSink {

    /** Whether row y will be used; a source may skip converting the rows nobody needs. */
    default boolean wantsRow(int y) {
        return true;
    }

    /** Row y as (W, 3) bytes; the caller reuses the array once this returns. */
    void row(int y, byte[] rgb);
}
