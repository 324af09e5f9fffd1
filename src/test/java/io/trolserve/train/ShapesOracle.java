package io.trolserve.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The right answer to a generated example, recomputed from its scene and the question's words
 * alone, never from how {@link ShapesDataset} built it; it asserts what each kind's scene must
 * hold for its question to have one answer.
 */
final class ShapesOracle {

    static final List<String> NUMBERS = List.of("one", "two", "three", "four", "five");
    static final Pattern COUNT_ANSWER = Pattern.compile("There (?:is|are) (\\w+) (\\w+)\\.");
    static final Pattern YES_NO_QUESTION = Pattern.compile("Is there an? (?:(\\w+) )?(\\w+) in the (?:picture|image)\\?");
    static final Pattern DESCRIBED_SHAPE = Pattern.compile("an? (\\w+) (\\w+)");
    static final Pattern COLOUR_OF_KIND_QUESTION = Pattern.compile("What colou?r is the ("
            + Arrays.stream(ShapeKind.values()).map(ShapeKind::word).collect(Collectors.joining("|")) + ")\\?");
    static final Pattern KIND_OF_COLOUR_QUESTION = Pattern.compile("(?:Which|What) shape is ("
            + Arrays.stream(ShapeColour.values()).map(ShapeColour::word).collect(Collectors.joining("|")) + ")\\?");

    private ShapesOracle() {
    }

    static String expectedAnswer(Example example) {
        Scene scene = example.scene();
        String question = example.question();
        return switch (example.kind()) {
            case COLOUR -> {
                assertThat(scene.shapes()).hasSize(1);
                yield "The shape is " + scene.shapes().get(0).colour().word() + ".";
            }
            case SHAPE -> {
                assertThat(scene.shapes()).hasSize(1);
                yield "It is a " + scene.shapes().get(0).kind().word() + ".";
            }
            case COLOUR_OF_KIND -> {
                PlacedShape named = theOneNamed(scene, question, COLOUR_OF_KIND_QUESTION, s -> s.kind().word());
                yield "The " + named.kind().word() + " is " + named.colour().word() + ".";
            }
            case KIND_OF_COLOUR -> {
                PlacedShape named = theOneNamed(scene, question, KIND_OF_COLOUR_QUESTION, s -> s.colour().word());
                yield "The " + named.colour().word() + " shape is a " + named.kind().word() + ".";
            }
            case COUNT -> countAnswer(scene, question);
            case POSITION -> positionAnswer(scene, question);
            case DESCRIBE -> describeAnswer(scene);
            case YES_NO -> yesNoAnswer(scene, question);
            case YES_NO_BINDING -> {
                Matcher m = YES_NO_QUESTION.matcher(question);
                assertThat(m.matches()).isTrue();
                assertThat(scene.shapes()).hasSizeBetween(2, 3);
                assertThat(scene.shapes()).anyMatch(s -> s.colour().word().equals(m.group(1))
                        && !s.kind().word().equals(m.group(2)));
                assertThat(scene.shapes()).anyMatch(s -> s.kind().word().equals(m.group(2))
                        && !s.colour().word().equals(m.group(1)));
                yield yesNoAnswer(scene, question);
            }
            case TEXT_ONLY -> textOnlyAnswer(example);
        };
    }

    /** The one shape, of two to five, whose attribute the question names (its first group). */
    private static PlacedShape theOneNamed(Scene scene, String question, Pattern form, Function<PlacedShape, String> attribute) {
        Matcher m = form.matcher(question);
        assertThat(m.matches()).isTrue();
        assertThat(scene.shapes()).hasSizeBetween(2, 5);
        List<PlacedShape> named = scene.shapes().stream().filter(s -> attribute.apply(s).equals(m.group(1))).toList();
        assertThat(named).hasSize(1);
        return named.get(0);
    }

    private static String countAnswer(Scene scene, String question) {
        assertThat(scene.shapes()).hasSizeBetween(1, 5);
        ShapeKind asked = Arrays.stream(ShapeKind.values()).filter(k -> question.contains(" " + k.plural() + " "))
                .findFirst().orElse(null);
        int n = asked == null ? scene.shapes().size() : (int) scene.shapes().stream().filter(s -> s.kind() == asked).count();
        String noun = asked == null ? "shape" : asked.word();
        return n == 1 ? "There is one " + noun + "." : "There are " + NUMBERS.get(n - 1) + " " + noun + "s.";
    }

    private static String positionAnswer(Scene scene, String question) {
        List<PlacedShape> shapes = byX(scene);
        assertThat(shapes).hasSizeBetween(2, 3);
        assertThat(shapes.stream().map(PlacedShape::kind).distinct()).hasSameSizeAs(shapes);
        for (int i = 1; i < shapes.size(); i++) {
            assertThat(shapes.get(i).centreX() - shapes.get(i - 1).centreX()).isGreaterThanOrEqualTo(0.2 * scene.side());
        }
        boolean left = question.endsWith(" left?");
        assertThat(left || question.endsWith(" right?")).isTrue();
        PlacedShape named = left ? shapes.get(0) : shapes.get(shapes.size() - 1);
        return "The " + named.kind().word() + " is on the " + (left ? "left" : "right") + ".";
    }

    private static String describeAnswer(Scene scene) {
        List<PlacedShape> shapes = byX(scene);
        assertThat(shapes).hasSizeBetween(1, 2);
        StringBuilder answer = new StringBuilder("There is");
        for (int i = 0; i < shapes.size(); i++) {
            String colour = shapes.get(i).colour().word();
            answer.append(i == 0 ? " " : " and ").append(colour.startsWith("o") ? "an " : "a ")
                    .append(colour).append(' ').append(shapes.get(i).kind().word());
        }
        if (shapes.size() == 2) {
            assertThat(shapes.get(0).colour() != shapes.get(1).colour() || shapes.get(0).kind() != shapes.get(1).kind()).isTrue();
            assertThat(DESCRIBED_SHAPE.matcher(answer).results().count()).isEqualTo(2);
        }
        return answer.append('.').toString();
    }

    private static String yesNoAnswer(Scene scene, String question) {
        assertThat(scene.shapes()).hasSizeBetween(1, 5);   // 1-4 drawn for yes/no, 5 when asked of a count's picture
        Matcher m = YES_NO_QUESTION.matcher(question);
        assertThat(m.matches()).isTrue();
        boolean present = scene.shapes().stream().anyMatch(s -> s.kind().word().equals(m.group(2))
                && (m.group(1) == null || s.colour().word().equals(m.group(1))));
        return present ? "Yes, there is." : "No, there is not.";
    }

    private static String textOnlyAnswer(Example example) {
        return switch (example.question()) {
            case "How many sides does a triangle have?" -> "A triangle has three sides.";
            case "How many sides does a square have?" -> "A square has four sides.";
            case "How many sides does a circle have?" -> "A circle has no sides.";
            case "How many points does a star have?" -> "A star has five points.";
            case "How many corners does a triangle have?" -> "A triangle has three corners.";
            case "How many corners does a square have?" -> "A square has four corners.";
            case "How many corners does a circle have?" -> "A circle has no corners.";
            default -> "I cannot see an image.";
        };
    }

    private static List<PlacedShape> byX(Scene scene) {
        return scene.shapes().stream().sorted((a, b) -> Double.compare(a.centreX(), b.centreX())).toList();
    }
}
