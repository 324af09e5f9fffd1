package io.trolserve.train;

/**
 * What a question asks; training mixes them and evaluation reports accuracy per kind. Each kind's
 * weight is how often {@link ShapesDataset#next()} draws it, out of 100: heavier where the model has
 * more to learn (counting, yes/no).
 */
public enum QuestionKind {
    /** The one shape's colour. */
    COLOUR(5),
    /** The one shape's kind. */
    SHAPE(8),
    /** How many shapes, or how many of one kind (one to five). */
    COUNT(35),
    /** Which kind is leftmost or rightmost. */
    POSITION(12),
    /** One or two shapes, named left to right. */
    DESCRIBE(10),
    /** POPE-style presence: is there a (colour) kind; half yes, half no. */
    YES_NO(25),
    /** No image: facts about shapes, or an image question that cannot be answered. */
    TEXT_ONLY(5),
    /**
     * The colour of the one shape of a kind among others of other kinds: a shape found by kind.
     * Asked only as a further question about a picture of several shapes (nextGroup).
     */
    COLOUR_OF_KIND(0),
    /** The kind of the one shape of a colour among others of other colours: a shape found by colour. Likewise. */
    KIND_OF_COLOUR(0),
    /**
     * Yes/no by colour and kind where the picture holds both, on one shape (yes) or on two (no):
     * what "that colour is there and that kind is there" cannot answer. Held out only: training
     * meets such questions only where POPE's draws happen on them, and asking them in every second
     * pair did not teach it (BENCHMARKS.md, "Fifth round", run B1).
     */
    YES_NO_BINDING(0);

    private final int weight;

    QuestionKind(int weight) {
        this.weight = weight;
    }

    /** Out of 100, how often {@link ShapesDataset#next()} draws this kind first for a picture. */
    public int weight() {
        return weight;
    }
}
