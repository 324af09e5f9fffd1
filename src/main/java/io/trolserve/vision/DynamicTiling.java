package io.trolserve.vision;

import java.util.List;

/**
 * TroL-3.8B's dynamic tiling (docs/TROL_3_8B.md §3.2-3.4; {@code dynamic_preprocess} and
 * {@code find_closest_aspect_ratio} in the official {@code utils/utils.py}): pick the grid whose
 * ratio is nearest the image's, resize the <em>original</em> to it with Pillow's bicubic
 * ({@link PillowBicubicResize}), cut it into square tiles row by row, and add a thumbnail (the
 * original resized to one tile) when there is more than one tile.
 *
 * <p>The constants are what the official code calls the tiler with: {@code dynamic_preprocess}'s
 * defaults (min 1, max 6, 448, thumbnail on), hard-coded there whatever config.json says
 * ({@code min_dynamic_patch}, {@code max_dynamic_patch}, {@code use_thumbnail} and
 * {@code force_image_size} are never read).
 */
public final class DynamicTiling {

    public static final int TILE_SIZE = 448;
    public static final int MIN_TILES = 1;
    public static final int MAX_TILES = 6;
    public static final boolean THUMBNAIL = true;

    /**
     * Every grid with MIN_TILES <= tiles <= MAX_TILES, in the official order: a Python set sorted
     * (stably) by tile count, as CPython 3.11 iterates that set. Only the order between different
     * counts can change a choice (a tie's later candidate wins for a large image); ties within one
     * count cannot occur for max 6, which the tests check.
     */
    static final List<TileGrid> CANDIDATES = List.of(
            new TileGrid(1, 1), new TileGrid(1, 2), new TileGrid(2, 1), new TileGrid(3, 1), new TileGrid(1, 3),
            new TileGrid(4, 1), new TileGrid(1, 4), new TileGrid(2, 2), new TileGrid(1, 5), new TileGrid(5, 1),
            new TileGrid(6, 1), new TileGrid(2, 3), new TileGrid(1, 6), new TileGrid(3, 2));

    private DynamicTiling() {}

    /** The grid the official tiler picks for a width x height image. */
    public static TileGrid choose(int width, int height) {
        return choose(width, height, CANDIDATES);
    }

    /**
     * Nearest ratio wins, the first one in order; a later candidate at exactly the same distance
     * (in doubles, as Python computes it) replaces it only when the image has more than half the
     * pixels of that candidate's grid: {@code w * h > 0.5 * 448 * 448 * across * down}.
     */
    static TileGrid choose(int width, int height, List<TileGrid> candidates) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("size must be positive: " + width + "x" + height);
        }
        double aspect = (double) width / height;
        double bestDiff = Double.POSITIVE_INFINITY;
        TileGrid best = new TileGrid(1, 1);
        long area = (long) width * height;
        for (TileGrid grid : candidates) {
            double diff = Math.abs(aspect - (double) grid.across() / grid.down());
            if (diff < bestDiff) {
                bestDiff = diff;
                best = grid;
            } else if (diff == bestDiff && 2 * area > (long) TILE_SIZE * TILE_SIZE * grid.gridTiles()) {
                best = grid;   // 0.5 * 448 * 448 * i * j is an exact integer in doubles: compared exactly here
            }
        }
        return best;
    }

    /** The tiles of a decoded image at its own size ({@link ImageDecoder#decode(byte[], long)}). */
    public static TiledImage tile(DecodedImage image) {
        if (image.isTiled()) {
            return new TiledImage(image.tiles(), image.rgb());
        }
        TileSink sink = sink(image.width(), image.height());
        RgbRows.feed(image.width(), image.height(), image.rgb(), sink);
        return sink.tiles();
    }

    /**
     * The image as the serving path keeps it: its size and content hash, and only its tiles, so
     * that what waits in queues is at most 7 tiles, not the upload's full size.
     */
    public static DecodedImage tiledForm(DecodedImage image) {
        if (image.isTiled()) {
            return image;
        }
        TiledImage tiled = tile(image);
        return new DecodedImage(image.width(), image.height(), tiled.rgb(), image.contentHash(), tiled.grid());
    }

    /** Where a decoder can send an image's rows to get its tiles with no full-size copy. */
    static TileSink sink(int width, int height) {
        return new TileSink(width, height, choose(width, height));
    }
}
