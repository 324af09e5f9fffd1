package io.trolserve.vision;

/**
 * Takes an image's rows once and feeds them to both resizes the tiler needs, the grid's and the
 * thumbnail's, each writing its output rows straight into the tiles (docs/TROL_3_8B.md §3.4):
 *
 * <pre>
 *   row y ─┬─▶ resize to (448 across, 448 down) ─▶ row r: tile (r / 448) * across + x, its row r % 448, x = 0..across-1
 *          └─▶ resize to (448, 448) ─────────────▶ row r: thumbnail, its row r         (only when across * down != 1)
 * </pre>
 *
 * Memory is the tiles themselves plus the two resizes' row rings; the original is never needed
 * whole, so a decoder may stream into this.
 */
final class TileSink implements RgbRowSink {

    private static final int S = DynamicTiling.TILE_SIZE;

    private final TileGrid grid;
    private final byte[] tiles;                    // (N, S, S, 3)
    private final PillowBicubicResize resized;
    private final PillowBicubicResize thumbnail;   // null: a single tile, no thumbnail

    TileSink(int width, int height, TileGrid grid) {
        this.grid = grid;
        this.tiles = new byte[grid.imageCount() * TiledImage.TILE_BYTES];
        this.resized = new PillowBicubicResize(width, height, grid.resizedWidth(), grid.resizedHeight(),
                (r, rgb) -> cut(rgb, r, 0, grid.across()));
        this.thumbnail = grid.hasThumbnail()
                ? new PillowBicubicResize(width, height, S, S, (r, rgb) -> cut(rgb, r, grid.gridTiles(), 1))
                : null;
    }

    @Override
    public boolean wantsRow(int y) {
        return resized.wantsRow(y) || (thumbnail != null && thumbnail.wantsRow(y));
    }

    @Override
    public void row(int y, byte[] rgb) {
        resized.row(y, rgb);   // each ignores the rows it does not want
        if (thumbnail != null) {
            thumbnail.row(y, rgb);
        }
    }

    /** Row r of an image {@code across} tiles wide, into its tiles numbered from {@code firstTile}. */
    private void cut(byte[] row, int r, int firstTile, int across) {
        int rowInTile = r % S;
        for (int x = 0; x < across; x++) {
            int tile = firstTile + (r / S) * across + x;
            System.arraycopy(row, 3 * S * x, tiles, tile * TiledImage.TILE_BYTES + 3 * S * rowInTile, 3 * S);
        }
    }

    /** The tiles, once every row has arrived. */
    TiledImage tiles() {
        resized.checkComplete();
        if (thumbnail != null) {
            thumbnail.checkComplete();
        }
        return new TiledImage(grid, tiles);
    }
}
