package io.trolserve.vision;

import java.util.Arrays;
import java.util.Objects;

/**
 * An image as TroL-3.8B's vision tower takes it, before normalisation: the tiles of its
 * {@link TileGrid} in row-major order, then the thumbnail, each {@code S x S} RGB bytes
 * (S = {@link DynamicTiling#TILE_SIZE}), stacked:
 *
 * <pre>
 *   rgb[((k * S + y) * S + x) * 3 + c],  k = tile (thumbnail last), c = 0 red, 1 green, 2 blue   // (N, S, S, 3)
 * </pre>
 *
 * The array is handed over, not copied; nobody writes to it after {@link DynamicTiling} returns.
 */
public record TiledImage(TileGrid grid, byte[] rgb) {

    /** Bytes of one tile. */
    public static final int TILE_BYTES = 3 * DynamicTiling.TILE_SIZE * DynamicTiling.TILE_SIZE;

    public TiledImage {
        Objects.requireNonNull(grid, "grid");
        Objects.requireNonNull(rgb, "rgb");
        if (rgb.length != (long) grid.imageCount() * TILE_BYTES) {
            throw new IllegalArgumentException("rgb holds " + rgb.length + " bytes, " + grid.imageCount() + " tiles of "
                    + TILE_BYTES + " expected");
        }
    }

    /** N: tiles the vision tower encodes, thumbnail included. */
    public int count() {
        return grid.imageCount();
    }

    /** A copy of tile k, (S, S, 3). */
    public byte[] tile(int k) {
        Objects.checkIndex(k, count());
        return Arrays.copyOfRange(rgb, k * TILE_BYTES, (k + 1) * TILE_BYTES);
    }

    @Override
    public String toString() {
        return "TiledImage[grid " + grid + ", " + count() + " tiles]";
    }
}
