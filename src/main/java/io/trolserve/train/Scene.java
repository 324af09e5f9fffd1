package io.trolserve.train;

import java.util.List;

/**
 * A square picture of {@code side} pixels: a light background, plain or jittered per pixel from
 * {@code noiseSeed}, with shapes that do not touch. {@link SceneRenderer} turns it into RGB bytes.
 */
public record Scene(int side, boolean noisyBackground, long noiseSeed, List<PlacedShape> shapes) {

    public Scene {
        if (side <= 0) {
            throw new IllegalArgumentException("side must be positive: " + side);
        }
        shapes = List.copyOf(shapes);
    }

    /** How many shapes of {@code kind} the scene holds. */
    public long count(ShapeKind kind) {
        return shapes.stream().filter(s -> s.kind() == kind).count();
    }

    /** How many shapes of {@code colour} the scene holds. */
    public long count(ShapeColour colour) {
        return shapes.stream().filter(s -> s.colour() == colour).count();
    }

    /** Whether a shape of {@code kind} is present, of {@code colour} too unless that is null. */
    public boolean contains(ShapeColour colour, ShapeKind kind) {
        return shapes.stream().anyMatch(s -> s.kind() == kind && (colour == null || s.colour() == colour));
    }
}
