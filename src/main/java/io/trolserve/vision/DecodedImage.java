package io.trolserve.vision;

import java.util.Objects;

/**
 * An image as 8-bit RGB: on the serving path of TroL-1.8B/7B already resized to the model's input
 * (S x S, TROL_SPEC.md §2 steps 1-2, {@link ImageDecoder#decode(byte[], DecodeLimits, int)}: 490 x
 * 490 x 3 = 720 kB, whatever the upload's size); at its own size, the bytes PIL's {@code
 * Image.open(f).convert("RGB")} gives, for TroL-3.8B's tiler ({@link ImageDecoder#decodeFullSize})
 * and for tools and tests.
 *
 * <pre>
 *   rgb[(y * width + x) * 3 + c],  c = 0 red, 1 green, 2 blue      // (H, W, 3), row-major
 * </pre>
 *
 * The array is handed over, not copied, and read once, by the preprocessor. Nobody writes to it
 * after {@link ImageDecoder} returns.
 *
 * <p>For TroL-3.8B the intake keeps only the tiles: {@code tiles} is then the grid chosen for the
 * original's {@code width} x {@code height}, and {@code rgb} holds its 448 px tiles, thumbnail last
 * ({@link DynamicTiling#tiledForm}), at most 7 x 602 kB, however large the upload was. A full-size
 * image never waits in a queue and the engine thread never tiles.
 *
 * <p>{@code contentHash} is the SHA-256 (hex) of the <em>encoded</em> bytes, not of the pixels: a
 * feature cache can then be consulted before decoding ({@link ImageDecoder#contentHash}), and the
 * same pixels sent in two encodings only cost a cache miss, never a wrong hit. A cache key must
 * still add what else the features depend on (model, preprocessing, hence the input size).
 */
public record DecodedImage(int width, int height, byte[] rgb, String contentHash, TileGrid tiles) {

    /** An image whose {@code rgb} holds all its pixels. */
    public DecodedImage(int width, int height, byte[] rgb, String contentHash) {
        this(width, height, rgb, contentHash, null);
    }

    public DecodedImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("size must be positive: " + width + "x" + height);
        }
        Objects.requireNonNull(rgb, "rgb");
        Objects.requireNonNull(contentHash, "contentHash");
        if (tiles != null) {
            if (!tiles.equals(DynamicTiling.choose(width, height))) {
                throw new IllegalArgumentException(tiles + " is not the grid of a " + width + "x" + height + " image");
            }
            if (rgb.length != (long) tiles.imageCount() * TiledImage.TILE_BYTES) {
                throw new IllegalArgumentException("rgb holds " + rgb.length + " bytes, " + tiles.imageCount()
                        + " tiles expected");
            }
        } else if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException(
                    "rgb holds " + rgb.length + " bytes, " + width + "x" + height + "x3 expected");
        }
    }

    /** Whether {@code rgb} holds the tiles of the image rather than its pixels. */
    public boolean isTiled() {
        return tiles != null;
    }

    @Override
    public String toString() {
        return "DecodedImage[" + width + "x" + height + (tiles == null ? "" : ", tiles " + tiles)
                + ", sha256=" + contentHash + "]";
    }
}
