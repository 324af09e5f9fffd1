package io.trolserve.model;

import io.trolserve.vision.DecodeLimits;
import io.trolserve.vision.DecodedImage;
import io.trolserve.vision.DynamicTiling;
import io.trolserve.vision.ImageDecoder;

/**
 * How a variant takes an image: how the serving path decodes it, into how many vision-tower tiles
 * it is cut, and so how many image tokens its {@code <image>} / {@code <IMG_CONTEXT>} expands to.
 * Pure CPU arithmetic on sizes, safe on any thread (the intake calls it, the engine checks with it).
 */
public sealed interface ImagePolicy {

    /** The image as the model's {@link TrolModel#preprocess} takes it, within the decode limits. */
    DecodedImage decode(byte[] encoded, DecodeLimits limits);

    /** Tiles the vision tower encodes for an image of this decoded size. */
    int tiles(int width, int height);

    /** Image tokens of one tile. */
    int tokensPerTile();

    /** The prompt's image tokens for an image of this decoded size: one run of this many. */
    default int tokens(int width, int height) {
        return tiles(width, height) * tokensPerTile();
    }

    default int tokens(DecodedImage image) {
        return tokens(image.width(), image.height());
    }

    /**
     * TroL-1.8B/7B (TROL_SPEC.md §2): decoded straight to one {@code side} square, whatever the
     * upload's size; a constant count per image.
     */
    record Square(int side, int tokensPerTile) implements ImagePolicy {

        public Square {
            if (side <= 0 || tokensPerTile <= 0) {
                throw new IllegalArgumentException("side and tokensPerTile must be positive: " + side + ", " + tokensPerTile);
            }
        }

        @Override
        public DecodedImage decode(byte[] encoded, DecodeLimits limits) {
            return ImageDecoder.decode(encoded, limits, side);
        }

        @Override
        public int tiles(int width, int height) {
            return 1;
        }
    }

    /**
     * TroL-3.8B (docs/TROL_3_8B.md §3, §6): decoded at its own size, because the tiler picks its
     * grid from the original's ratio and resizes the original, then kept as its tiles only; 1 to 7
     * tiles (grid plus thumbnail).
     */
    record Tiled(int tokensPerTile) implements ImagePolicy {

        public Tiled {
            if (tokensPerTile <= 0) {
                throw new IllegalArgumentException("tokensPerTile must be positive: " + tokensPerTile);
            }
        }

        @Override
        public DecodedImage decode(byte[] encoded, DecodeLimits limits) {
            // tiled here, on the intake thread: the full-size pixels are dropped at once
            return DynamicTiling.tiledForm(ImageDecoder.decodeFullSize(encoded, limits));
        }

        @Override
        public int tiles(int width, int height) {
            return DynamicTiling.choose(width, height).imageCount();
        }
    }
}
