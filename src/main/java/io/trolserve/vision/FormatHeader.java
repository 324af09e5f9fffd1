package io.trolserve.vision;

/**
 * What one format's header says, and how that format's raw ImageIO samples become PIL's RGB. One
 * record per format, so that each conversion rule sits next to the header fields it depends on.
 */
sealed interface FormatHeader permits PngHeader, JpegHeader, GifHeader, BmpHeader {

    ImageFormat format();

    /** Output width, as PIL reports {@code Image.size[0]}. */
    int width();

    int height();

    /** Size of the raster ImageIO returns; only GIF differs (first frame versus canvas). */
    default int rasterWidth() {
        return width();
    }

    default int rasterHeight() {
        return height();
    }

    /** Refuses, before any pixel is decoded, what the header shows cannot be decoded like PIL. */
    default void checkDecodable() {}

    /** The (W, 3) RGB rows of the samples ImageIO decoded, top to bottom, into {@code sink}. */
    void toRgb(RawPixels pixels, RgbRowSink sink);

    static FormatHeader parse(ImageFormat format, byte[] encoded) {
        return switch (format) {
            case PNG -> PngHeader.parse(encoded);
            case JPEG -> JpegHeader.parse(encoded);
            case GIF -> GifHeader.parse(encoded);
            case BMP -> BmpHeader.parse(encoded);
        };
    }

    default ImageInfo info() {
        return new ImageInfo(format(), width(), height());
    }
}
