package io.trolserve.train;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every sentence the data can hold: the question phrasings per kind and the one answer sentence
 * each scene gives. Answers are exact (evaluation compares strings), so each has exactly one form
 * and ends with a full stop. {@link #corpus()} enumerates the same tables, so the tokenizer learns
 * from exactly what training will show.
 */
final class Sentences {

    static final List<String> COLOUR_QUESTIONS = List.of("What colour is the shape?", "What color is the shape?",
            "Which colour is the shape in the picture?", "What colour is the shape in the image?");
    static final List<String> SHAPE_QUESTIONS = List.of("What shape is this?", "What shape is in the picture?",
            "What shape is in the image?", "Which shape is shown?");
    static final List<String> TOTAL_COUNT_QUESTIONS = List.of("How many shapes are there?",
            "How many shapes are in the picture?");
    static final List<String> KIND_COUNT_TEMPLATES = List.of("How many %s are there?", "How many %s are in the picture?");
    static final List<String> POSITION_TEMPLATES = List.of("What shape is on the %s?", "Which shape is on the %s?");
    static final List<String> DESCRIBE_QUESTIONS = List.of("Describe the picture.", "Describe the image.",
            "What is in the picture?");
    static final List<String> COLOUR_OF_KIND_TEMPLATES = List.of("What colour is the %s?", "What color is the %s?");
    static final List<String> KIND_OF_COLOUR_TEMPLATES = List.of("Which shape is %s?", "What shape is %s?");
    static final List<String> YES_NO_TEMPLATES = List.of("Is there %s in the picture?", "Is there %s in the image?");

    static final String YES = "Yes, there is.";
    static final String NO = "No, there is not.";
    static final String NO_IMAGE = "I cannot see an image.";

    /** A question about shapes in general, answered without an image. */
    record Fact(String question, String answer) {
    }

    static final List<Fact> FACTS = List.of(
            new Fact("How many sides does a triangle have?", "A triangle has three sides."),
            new Fact("How many sides does a square have?", "A square has four sides."),
            new Fact("How many sides does a circle have?", "A circle has no sides."),
            new Fact("How many points does a star have?", "A star has five points."),
            new Fact("How many corners does a triangle have?", "A triangle has three corners."),
            new Fact("How many corners does a square have?", "A square has four corners."),
            new Fact("How many corners does a circle have?", "A circle has no corners."));

    /** Which end of the picture a position question asks about. */
    enum Side {
        LEFT, RIGHT;

        String word() {
            return name().toLowerCase();
        }
    }

    private static final List<String> NUMBERS = List.of("one", "two", "three", "four", "five");

    private Sentences() {
    }

    static String number(int n) {
        if (n < 1 || n > NUMBERS.size()) {
            throw new IllegalArgumentException("counts run from one to five: " + n);
        }
        return NUMBERS.get(n - 1);
    }

    static String colourAnswer(ShapeColour colour) {
        return "The shape is " + colour.word() + ".";
    }

    static String shapeAnswer(ShapeKind kind) {
        return "It is " + withArticle(kind.word()) + ".";
    }

    /** "What colour is the circle?": asked of a scene with one circle among other shapes. */
    static String colourOfKindQuestion(String template, ShapeKind kind) {
        return template.formatted(kind.word());
    }

    static String colourOfKindAnswer(ShapeKind kind, ShapeColour colour) {
        return "The " + kind.word() + " is " + colour.word() + ".";
    }

    /** "Which shape is red?": asked of a scene with one red shape among others. */
    static String kindOfColourQuestion(String template, ShapeColour colour) {
        return template.formatted(colour.word());
    }

    static String kindOfColourAnswer(ShapeColour colour, ShapeKind kind) {
        return "The " + colour.word() + " shape is " + withArticle(kind.word()) + ".";
    }

    static String kindCountQuestion(String template, ShapeKind kind) {
        return template.formatted(kind.plural());
    }

    static String totalCountAnswer(int n) {
        return n == 1 ? "There is one shape." : "There are " + number(n) + " shapes.";
    }

    static String kindCountAnswer(int n, ShapeKind kind) {
        return n == 1 ? "There is one " + kind.word() + "." : "There are " + number(n) + " " + kind.plural() + ".";
    }

    static String positionQuestion(String template, Side side) {
        return template.formatted(side.word());
    }

    static String positionAnswer(ShapeKind kind, Side side) {
        return "The " + kind.word() + " is on the " + side.word() + ".";
    }

    /** "There is a red circle and a blue star.": the shapes in the order given (left to right). */
    static String describeAnswer(List<PlacedShape> shapes) {
        return "There is " + shapes.stream()
                .map(s -> withArticle(s.colour().word() + " " + s.kind().word()))
                .collect(Collectors.joining(" and ")) + ".";
    }

    /** "Is there a red circle in the picture?", or without a colour when {@code colour} is null. */
    static String yesNoQuestion(String template, ShapeColour colour, ShapeKind kind) {
        String object = colour == null ? kind.word() : colour.word() + " " + kind.word();
        return template.formatted(withArticle(object));
    }

    /**
     * The answer says yes or no and nothing else to copy: answers that restated the object ("There
     * is no red star.") often named the wrong colour (BENCHMARKS.md, "Training the demo model").
     */
    static String yesNoAnswer(boolean present) {
        return present ? YES : NO;
    }

    private static String withArticle(String phrase) {
        return ("aeiou".indexOf(phrase.charAt(0)) >= 0 ? "an " : "a ") + phrase;
    }

    /** One sentence a line: every question, and every answer except most two-shape descriptions. */
    static String corpus() {
        Set<String> lines = new LinkedHashSet<>();
        lines.addAll(COLOUR_QUESTIONS);
        lines.addAll(SHAPE_QUESTIONS);
        lines.addAll(TOTAL_COUNT_QUESTIONS);
        lines.addAll(DESCRIBE_QUESTIONS);
        for (ShapeColour colour : ShapeColour.values()) {
            lines.add(colourAnswer(colour));
            KIND_OF_COLOUR_TEMPLATES.forEach(t -> lines.add(kindOfColourQuestion(t, colour)));
            for (ShapeKind kind : ShapeKind.values()) {
                lines.add(colourOfKindAnswer(kind, colour));
                lines.add(kindOfColourAnswer(colour, kind));
            }
        }
        for (int n = 1; n <= NUMBERS.size(); n++) {
            lines.add(totalCountAnswer(n));
        }
        for (ShapeKind kind : ShapeKind.values()) {
            lines.add(shapeAnswer(kind));
            KIND_COUNT_TEMPLATES.forEach(t -> lines.add(kindCountQuestion(t, kind)));
            COLOUR_OF_KIND_TEMPLATES.forEach(t -> lines.add(colourOfKindQuestion(t, kind)));
            for (int n = 1; n <= NUMBERS.size(); n++) {
                lines.add(kindCountAnswer(n, kind));
            }
            for (Side side : Side.values()) {
                POSITION_TEMPLATES.forEach(t -> lines.add(positionQuestion(t, side)));
                lines.add(positionAnswer(kind, side));
            }
            YES_NO_TEMPLATES.forEach(t -> lines.add(yesNoQuestion(t, null, kind)));
            for (ShapeColour colour : ShapeColour.values()) {
                YES_NO_TEMPLATES.forEach(t -> lines.add(yesNoQuestion(t, colour, kind)));
            }
        }
        lines.add(YES);
        lines.add(NO);
        lines.addAll(describeSamples());
        for (Fact fact : FACTS) {
            lines.add(fact.question());
            lines.add(fact.answer());
        }
        lines.add(NO_IMAGE);
        return String.join("\n", lines) + "\n";
    }

    // Every colour-and-kind alone, and each once beside a different one: all 24 x 23 pairs would
    // only repeat the same words.
    private static List<String> describeSamples() {
        List<PlacedShape> looks = new ArrayList<>();
        for (ShapeColour colour : ShapeColour.values()) {
            for (ShapeKind kind : ShapeKind.values()) {
                looks.add(new PlacedShape(kind, colour, 0, 0, 1));
            }
        }
        List<String> sentences = new ArrayList<>();
        for (int i = 0; i < looks.size(); i++) {
            sentences.add(describeAnswer(List.of(looks.get(i))));
            sentences.add(describeAnswer(List.of(looks.get(i), looks.get((i * 7 + 5) % looks.size()))));
        }
        return sentences;
    }
}
