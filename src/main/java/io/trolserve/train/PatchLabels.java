package io.trolserve.train;

/**
 * What each image token of a scene shows, for the training-only patch heads ({@link ImageHeads}):
 * per cell of the tower's grid (row-major, as the image tokens are), the shape kind and colour
 * covering most of four sample points in the cell, or none (class 0). Shapes never overlap, so at
 * most one covers a point.
 */
record PatchLabels(long[] kinds, long[] colours) {

    /** Classes: none, then each kind / colour in declaration order. */
    static final int KIND_CLASSES = ShapeKind.values().length + 1;
    static final int COLOUR_CLASSES = ShapeColour.values().length + 1;

    static PatchLabels of(Scene scene, int grid) {
        long[] kinds = new long[grid * grid];
        long[] colours = new long[grid * grid];
        double cell = (double) scene.side() / grid;
        for (int r = 0; r < grid; r++) {
            for (int c = 0; c < grid; c++) {
                PlacedShape seen = majority(scene, c * cell, r * cell, cell);
                if (seen != null) {
                    kinds[r * grid + c] = seen.kind().ordinal() + 1;
                    colours[r * grid + c] = seen.colour().ordinal() + 1;
                }
            }
        }
        return new PatchLabels(kinds, colours);
    }

    /** The shape covering at least two of the cell's four quarter-centres, if one does. */
    private static PlacedShape majority(Scene scene, double x0, double y0, double cell) {
        for (PlacedShape s : scene.shapes()) {
            int hits = 0;
            for (double fy : new double[] {0.25, 0.75}) {
                for (double fx : new double[] {0.25, 0.75}) {
                    hits += s.covers(x0 + fx * cell, y0 + fy * cell) ? 1 : 0;
                }
            }
            if (hits >= 2) {
                return s;
            }
        }
        return null;
    }
}
