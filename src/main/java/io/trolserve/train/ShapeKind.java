package io.trolserve.train;

/**
 * The shapes the demo model learns to name. Each fills a {@code size x size} box around its
 * centre: a circle of that diameter, an axis-aligned square of that side, a triangle pointing up
 * whose base and height are the box's, a regular five-pointed star whose points touch a circle of
 * that diameter.
 */
public enum ShapeKind {
    CIRCLE("circle"),
    SQUARE("square"),
    TRIANGLE("triangle"),
    STAR("star");

    /** A regular {5/2} star's inner radius over its outer radius: sin(18°) / sin(54°). */
    private static final double STAR_INNER_RATIO = Math.sin(Math.toRadians(18)) / Math.sin(Math.toRadians(54));

    /** The star's vertices for an outer radius of 1, y down. */
    private static final double[] STAR_X = starVertices(true);
    private static final double[] STAR_Y = starVertices(false);

    private final String word;

    ShapeKind(String word) {
        this.word = word;
    }

    /** The noun as questions and answers spell it: "circle". */
    public String word() {
        return word;
    }

    /** "circles": every kind's plural is regular. */
    public String plural() {
        return word + "s";
    }

    /**
     * Whether the point {@code (dx, dy)} from the shape's centre, in pixels with y pointing down,
     * lies inside a shape of this kind and the given size.
     */
    public boolean covers(double dx, double dy, double size) {
        double half = size / 2;
        return switch (this) {
            case CIRCLE -> dx * dx + dy * dy <= half * half;
            case SQUARE -> Math.abs(dx) <= half && Math.abs(dy) <= half;
            case TRIANGLE -> triangleCovers(dx, dy, half);
            case STAR -> starCovers(dx, dy, half);
        };
    }

    // Apex at (0, -half), base corners at (+-half, half): the half-width grows from 0 to half
    // as y goes from the apex down to the base.
    private static boolean triangleCovers(double dx, double dy, double half) {
        if (dy < -half || dy > half) {
            return false;
        }
        double halfWidthHere = (dy + half) / 2;
        return Math.abs(dx) <= halfWidthHere;
    }

    // A point is inside the star when it is inside the polygon of its ten vertices (outer point,
    // inner notch, alternately), the first point straight up; even-odd ray casting, in units of
    // the outer radius so the vertices are computed once.
    private static boolean starCovers(double dx, double dy, double outer) {
        double x = dx / outer;
        double y = dy / outer;
        if (x * x + y * y > 1) {
            return false;
        }
        boolean inside = false;
        for (int i = 0, prev = 9; i < 10; prev = i++) {
            double xi = STAR_X[i];
            double yi = STAR_Y[i];
            if ((yi > y) != (STAR_Y[prev] > y) && x < (STAR_X[prev] - xi) * (y - yi) / (STAR_Y[prev] - yi) + xi) {
                inside = !inside;
            }
        }
        return inside;
    }

    private static double[] starVertices(boolean alongX) {
        double[] coordinates = new double[10];
        for (int i = 0; i < 10; i++) {
            double radius = i % 2 == 0 ? 1 : STAR_INNER_RATIO;
            double angle = Math.PI * i / 5;
            coordinates[i] = alongX ? radius * Math.sin(angle) : -radius * Math.cos(angle);
        }
        return coordinates;
    }
}
