package io.trolserve.vision;

/** Collects every row: the whole (H, W, 3) image, for callers that want the decoded size. */
final class FullSizeRgb implements RgbRowSink {

    private final int width;
    private final byte[] rgb;

    FullSizeRgb(int width, int height) {
        this.width = width;
        this.rgb = new byte[3 * width * height];
    }

    @Override
    public void row(int y, byte[] row) {
        System.arraycopy(row, 0, rgb, 3 * y * width, 3 * width);
    }

    byte[] rgb() {
        return rgb;
    }
}
