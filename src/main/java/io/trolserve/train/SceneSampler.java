package io.trolserve.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Places shapes at random sizes and positions by rejection sampling: each shape's box keeps a
 * margin from the image edge and a gap from every other box, so no two shapes touch and every
 * shape is whole. A placement that gets stuck starts over with fresh sizes.
 */
final class SceneSampler {

    /** A lone shape's size, as a share of the side. */
    static final double LONE_MIN = 0.35;
    static final double LONE_MAX = 0.60;
    /**
     * The largest size of each of several shapes, as a share of the side: for two shapes, less by
     * {@link #SEVERAL_STEP} for each more. The smallest is {@link #SEVERAL_SPREAD} of it. Fewer
     * shapes are drawn larger: a 14 px patch sees little of a 16 px star's points, so shapes are
     * kept as large as the count leaves room for.
     */
    static final double SEVERAL_MAX_FOR_TWO = 0.36;
    static final double SEVERAL_STEP = 0.04;
    static final double SEVERAL_SPREAD = 0.72;
    /** No shape is smaller, even where a share of a small side would be: a 5-point star needs it. */
    static final double MIN_PIXELS = 10;
    /** Horizontal distance between centres, as a share of the side, where left and right matter. */
    static final double LEFT_RIGHT_APART = 0.20;
    /** A box's distance from the image edge, and between boxes: a share of the side, at least 2 px. */
    private static final double MARGIN = 0.04;

    private static final int TRIES_PER_SHAPE = 100;
    private static final int TRIES_PER_SCENE = 1_000;

    /** What a shape looks like before it is placed. */
    record Look(ShapeKind kind, ShapeColour colour) {
    }

    private final int side;
    private final SplittableRandom random;
    private final double margin;

    SceneSampler(int side, SplittableRandom random) {
        this.side = side;
        this.random = random;
        this.margin = Math.max(2.0, MARGIN * side);
    }

    ShapeKind kind() {
        return pick(ShapeKind.values());
    }

    ShapeColour colour() {
        return pick(ShapeColour.values());
    }

    Look look() {
        return new Look(kind(), colour());
    }

    boolean coin() {
        return random.nextBoolean();
    }

    <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** A scene of these looks, anywhere: lone-shape sizes for one look, smaller for several. */
    Scene scatter(List<Look> looks) {
        return scene(place(looks, 0));
    }

    /** A scene whose shapes' centres are at least {@link #LEFT_RIGHT_APART} of the side apart in x. */
    Scene leftToRight(List<Look> looks) {
        return scene(place(looks, LEFT_RIGHT_APART * side));
    }

    private Scene scene(List<PlacedShape> shapes) {
        boolean noisy = random.nextBoolean();
        return new Scene(side, noisy, random.nextLong(), shapes);
    }

    private List<PlacedShape> place(List<Look> looks, double minDx) {
        boolean lone = looks.size() == 1;
        double severalMax = SEVERAL_MAX_FOR_TWO - SEVERAL_STEP * (looks.size() - 2);
        double minSize = Math.max(MIN_PIXELS, (lone ? LONE_MIN : SEVERAL_SPREAD * severalMax) * side);
        double maxSize = (lone ? LONE_MAX : severalMax) * side;
        for (int attempt = 0; attempt < TRIES_PER_SCENE; attempt++) {
            List<PlacedShape> placed = new ArrayList<>();
            for (Look look : looks) {
                PlacedShape shape = placeOne(look, random.nextDouble(minSize, maxSize), placed, minDx);
                if (shape == null) {
                    break;
                }
                placed.add(shape);
            }
            if (placed.size() == looks.size()) {
                return placed;
            }
        }
        throw new IllegalStateException("could not place " + looks.size() + " shapes in " + side + " px");
    }

    private PlacedShape placeOne(Look look, double size, List<PlacedShape> placed, double minDx) {
        double low = margin + size / 2;
        double high = side - margin - size / 2;
        for (int i = 0; i < TRIES_PER_SHAPE; i++) {
            PlacedShape candidate = new PlacedShape(look.kind(), look.colour(),
                    random.nextDouble(low, high), random.nextDouble(low, high), size);
            if (fits(candidate, placed, minDx)) {
                return candidate;
            }
        }
        return null;
    }

    private boolean fits(PlacedShape candidate, List<PlacedShape> placed, double minDx) {
        for (PlacedShape other : placed) {
            if (!candidate.isApartFrom(other, margin) || Math.abs(candidate.centreX() - other.centreX()) < minDx) {
                return false;
            }
        }
        return true;
    }
}
