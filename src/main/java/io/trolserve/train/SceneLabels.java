package io.trolserve.train;

import java.util.Comparator;

/**
 * What a whole scene holds, for the training-only scene heads ({@link ImageHeads}): every image
 * token is taught to carry these, so that the language model, whichever image tokens it attends
 * to, finds the count and the presence a question asks about already computed. Counting objects
 * (not patches) and binding a colour to a kind are work for the vision tower's attention across
 * the grid; taught only through the answers, a from-scratch tower never found it (runs A to F in
 * BENCHMARKS.md: counting and yes/no stayed near chance).
 *
 * @param total     how many shapes, 0 to {@link #MAX_COUNT}
 * @param perKind   how many of each kind, by {@link ShapeKind} ordinal
 * @param present   whether the scene holds each colour and kind, at {@link #presentIndex}
 * @param leftKind  the kind of the leftmost shape's centre, as a class ({@code 0} none, then ordinal + 1)
 * @param rightKind the same for the rightmost
 */
record SceneLabels(int total, int[] perKind, boolean[] present, int leftKind, int rightKind) {

    /** Counts run from none to this; a scene holds at most five shapes. */
    static final int MAX_COUNT = 5;
    static final int COUNT_CLASSES = MAX_COUNT + 1;
    static final int KINDS = ShapeKind.values().length;
    static final int LOOKS = ShapeColour.values().length * KINDS;
    static final int SIDE_CLASSES = KINDS + 1;

    static SceneLabels of(Scene scene) {
        if (scene.shapes().size() > MAX_COUNT) {
            throw new IllegalArgumentException("a scene holds at most " + MAX_COUNT + " shapes: " + scene.shapes().size());
        }
        int[] perKind = new int[KINDS];
        boolean[] present = new boolean[LOOKS];
        for (PlacedShape s : scene.shapes()) {
            perKind[s.kind().ordinal()]++;
            present[presentIndex(s.colour(), s.kind())] = true;
        }
        return new SceneLabels(scene.shapes().size(), perKind, present,
                sideClass(scene, Comparator.comparingDouble(PlacedShape::centreX)),
                sideClass(scene, Comparator.comparingDouble(PlacedShape::centreX).reversed()));
    }

    static int presentIndex(ShapeColour colour, ShapeKind kind) {
        return colour.ordinal() * KINDS + kind.ordinal();
    }

    private static int sideClass(Scene scene, Comparator<PlacedShape> firstFirst) {
        return scene.shapes().stream().min(firstFirst).map(s -> s.kind().ordinal() + 1).orElse(0);
    }
}
