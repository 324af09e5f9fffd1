package io.trolserve.vision;

/**
 * How TroL-3.8B's tiler cuts an image (docs/TROL_3_8B.md §3.2-3.4): {@code across} tiles left to
 * right and {@code down} top to bottom, each {@link DynamicTiling#TILE_SIZE} square, plus a
 * thumbnail of the whole image when there is more than one tile.
 */
public record TileGrid(int across, int down) {

    public TileGrid {
        if (across <= 0 || down <= 0) {
            throw new IllegalArgumentException("a grid needs at least one tile each way: " + across + "x" + down);
        }
    }

    /** Tiles cut from the grid, thumbnail not counted. */
    public int gridTiles() {
        return across * down;
    }

    public boolean hasThumbnail() {
        return DynamicTiling.THUMBNAIL && gridTiles() != 1;
    }

    /** Images the vision tower encodes: the grid's tiles, then the thumbnail if any (N in §3.4). */
    public int imageCount() {
        return gridTiles() + (hasThumbnail() ? 1 : 0);
    }

    /** Width the original is resized to before it is cut. */
    public int resizedWidth() {
        return across * DynamicTiling.TILE_SIZE;
    }

    /** Height the original is resized to before it is cut. */
    public int resizedHeight() {
        return down * DynamicTiling.TILE_SIZE;
    }

    @Override
    public String toString() {
        return across + "x" + down;
    }
}
