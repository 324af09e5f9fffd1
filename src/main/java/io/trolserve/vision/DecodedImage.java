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
 * <p>{@code contentHash} is the SHA-256 (hex) of the <em>encoded</em> bytes, not of the pixels: a
 * feature cache can then be consulted before decoding ({@link ImageDecoder#contentHash}), and the
 * same pixels sent in two encodings only cost a cache miss, never a wrong hit. A cache key must
 * still add what else the features depend on (model, preprocessing, hence the input size).
 */
public record DecodedImage(int width, int height, byte[] rgb, String contentHash) {

    public DecodedImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("size must be positive: " + width + "x" + height);
        }
        Objects.requireNonNull(rgb, "rgb");
        Objects.requireNonNull(contentHash, "contentHash");
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException(
                    "rgb holds " + rgb.length + " bytes, " + width + "x" + height + "x3 expected");
        }
    }

    @Override
    public String toString() {
        return "DecodedImage[" + width + "x" + height + ", sha256=" + contentHash + "]";
    }
}
