package io.trolserve.train;

/** What a question asks; training mixes them and evaluation reports accuracy per kind. */
public enum QuestionKind {
    /** The one shape's colour. */
    COLOUR,
    /** The one shape's kind. */
    SHAPE,
    /** How many shapes, or how many of one kind (one to five). */
    COUNT,
    /** Which kind is leftmost or rightmost. */
    POSITION,
    /** One or two shapes, named left to right. */
    DESCRIBE,
    /** POPE-style presence: is there a (colour) kind; half yes, half no. */
    YES_NO,
    /** No image: facts about shapes, or an image question that cannot be answered. */
    TEXT_ONLY,
    /** The colour of the one shape of a kind among others of other kinds: a shape found by kind. */
    COLOUR_OF_KIND,
    /** The kind of the one shape of a colour among others of other colours: a shape found by colour. */
    KIND_OF_COLOUR,
    /**
     * Yes/no by colour and kind where the picture holds both, on one shape (yes) or on two (no):
     * what "that colour is there and that kind is there" cannot answer. Evaluation only.
     */
    YES_NO_BINDING
}
