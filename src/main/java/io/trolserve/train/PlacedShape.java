package io.trolserve.train;

import java.util.Objects;

/**
 * One shape in a scene, in pixels: its {@code size x size} box is centred on
 * {@code (centreX, centreY)}, with x to the right and y down, pixel {@code (x, y)} covering
 * {@code [x, x + 1) x [y, y + 1)}.
 */
public record PlacedShape(ShapeKind kind, ShapeColour colour, double centreX, double centreY, double size) {

    public PlacedShape {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(colour, "colour");
        if (!(size > 0)) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
    }

    /** Whether the image point {@code (x, y)} lies inside the shape. */
    public boolean covers(double x, double y) {
        return kind.covers(x - centreX, y - centreY, size);
    }

    public double left() {
        return centreX - size / 2;
    }

    public double right() {
        return centreX + size / 2;
    }

    public double top() {
        return centreY - size / 2;
    }

    public double bottom() {
        return centreY + size / 2;
    }

    /** Whether the boxes of this and {@code other} are at least {@code gap} apart along x or y. */
    public boolean isApartFrom(PlacedShape other, double gap) {
        return left() >= other.right() + gap || other.left() >= right() + gap
                || top() >= other.bottom() + gap || other.top() >= bottom() + gap;
    }
}
