package io.trolserve.vision;

/** A whole image in memory, handed to an {@link RgbRowSink} as a decoder hands it: row by row. */
final class RgbRows {

    private RgbRows() {}

    /** Sends the rows of an (height, width, 3) image that {@code sink} wants, top to bottom. */
    static void feed(int width, int height, byte[] rgb, RgbRowSink sink) {
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException(
                    "rgb holds " + rgb.length + " bytes, " + width + "x" + height + "x3 expected");
        }
        byte[] row = new byte[3 * width];   // (width, 3): a sink takes a row at index 0
        for (int y = 0; y < height; y++) {
            if (sink.wantsRow(y)) {
                System.arraycopy(rgb, 3 * y * width, row, 0, row.length);
                sink.row(y, row);
            }
        }
    }
}
