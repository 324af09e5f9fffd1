package io.trolserve.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.trolserve.testkit.Trials;

/**
 * Every answer is recomputed here from the scene and the question's words alone, independently of
 * how the dataset built it; the scenes are checked against the rules.
 */
class ShapesDatasetTest {

    private static final List<String> NUMBERS = List.of("one", "two", "three", "four", "five");
    private static final Pattern COUNT_ANSWER = Pattern.compile("There (?:is|are) (\\w+) (\\w+)\\.");
    private static final Pattern YES_NO_QUESTION = Pattern.compile("Is there an? (?:(\\w+) )?(\\w+) in the (?:picture|image)\\?");
    private static final Pattern DESCRIBED_SHAPE = Pattern.compile("an? (\\w+) (\\w+)");
    private static final Pattern COLOUR_OF_KIND_QUESTION = Pattern.compile("What colou?r is the ("
            + Arrays.stream(ShapeKind.values()).map(ShapeKind::word).collect(Collectors.joining("|")) + ")\\?");
    private static final Pattern KIND_OF_COLOUR_QUESTION = Pattern.compile("(?:Which|What) shape is ("
            + Arrays.stream(ShapeColour.values()).map(ShapeColour::word).collect(Collectors.joining("|")) + ")\\?");

    @Test
    void everyAnswerAgreesWithItsSceneAndEveryWordIsInTheCorpus() {
        Set<String> corpusLines = Set.of(ShapesDataset.corpus().split("\n"));
        Set<String> corpusWords = words(ShapesDataset.corpus());
        Trials.forAll(2_000, random -> new ShapesDataset(random.nextInt(56, 449), random.nextLong()).next(),
                example -> {
                    assertThat(example.answer()).endsWith(".");
                    assertThat(corpusLines).as("question in the corpus").contains(example.question());
                    assertThat(corpusWords).containsAll(words(example.answer()));
                    if (example.scene() != null) {
                        assertSceneFollowsTheRules(example.scene());
                    }
                    assertThat(example.answer()).isEqualTo(expectedAnswer(example));
                });
    }

    /**
     * The questions of a group are about one picture (the same scene object), none asked twice,
     * each answered as that scene gives it and obeying its kind's rules; a text-only question comes
     * alone.
     */
    @Test
    void aGroupAsksSeveralQuestionsAboutOnePictureEachAnsweredByIt() {
        Set<String> corpusLines = Set.of(ShapesDataset.corpus().split("\n"));
        Set<String> corpusWords = words(ShapesDataset.corpus());
        Trials.forAll(1_000, random -> new ShapesDataset(random.nextInt(56, 449), random.nextLong()).nextGroup(4),
                group -> {
                    assertThat(group).hasSizeBetween(1, ShapesDataset.MAX_QUESTIONS_PER_PICTURE);
                    Scene scene = group.get(0).scene();
                    if (scene == null) {
                        assertThat(group).hasSize(1);
                        return;
                    }
                    assertThat(group.stream().map(Example::question).distinct()).hasSameSizeAs(group);
                    for (Example example : group) {
                        assertThat(example.scene()).isSameAs(scene);
                        assertThat(corpusLines).contains(example.question());
                        assertThat(corpusWords).containsAll(words(example.answer()));
                        assertThat(example.answer()).isEqualTo(expectedAnswer(example));
                    }
                });
    }

    /**
     * A yes/no question comes with its opposite about the same picture, however few questions a
     * group asks: one names something the picture holds, the other something it lacks.
     */
    @Test
    void aYesNoQuestionComesWithItsOpposite() {
        Trials.forAll(2_000, random -> new ShapesDataset(112, random.nextLong()).nextGroup(1 + random.nextInt(4)),
                group -> {
                    if (group.get(0).kind() != QuestionKind.YES_NO) {
                        return;
                    }
                    Example first = group.get(0);
                    Example opposite = group.get(1);
                    assertThat(opposite.kind()).isEqualTo(QuestionKind.YES_NO);
                    assertThat(opposite.scene()).isSameAs(first.scene());
                    assertThat(opposite.question()).isNotEqualTo(first.question());
                    assertThat(Set.of(first.answer(), opposite.answer()))
                            .containsExactlyInAnyOrder(Sentences.yesNoAnswer(true), Sentences.yesNoAnswer(false));
                });
    }

    /**
     * Where a group of four starts with a yes/no pair, a second pair asks by colour and kind: the
     * same kind, one colour the picture holds it in and one it lacks (POPE's adversarial case).
     * It is dropped only when the first pair already asked one of its questions.
     */
    @Test
    void aYesNoGroupOfFourAddsAPairThatDiffersInTheColourWord() {
        ShapesDataset data = new ShapesDataset(112, 23);
        int yesNoGroups = 0;
        int colourPairs = 0;
        for (int i = 0; i < 4_000; i++) {
            List<Example> group = data.nextGroup(4);
            if (group.get(0).kind() != QuestionKind.YES_NO) {
                continue;
            }
            yesNoGroups++;
            if (group.size() < 4) {
                continue;
            }
            Matcher present = YES_NO_QUESTION.matcher(group.get(2).question());
            Matcher absent = YES_NO_QUESTION.matcher(group.get(3).question());
            if (group.get(2).kind() == QuestionKind.YES_NO && group.get(3).kind() == QuestionKind.YES_NO
                    && present.matches() && absent.matches() && present.group(1) != null && absent.group(1) != null
                    && present.group(2).equals(absent.group(2)) && !present.group(1).equals(absent.group(1))
                    && group.get(2).answer().equals(Sentences.YES) && group.get(3).answer().equals(Sentences.NO)) {
                colourPairs++;
            }
        }
        assertThat(yesNoGroups).isGreaterThan(800);
        assertThat((double) colourPairs / yesNoGroups).isGreaterThan(0.8);   // 86 % with this seed: a lone shape often repeats the first pair
    }

    /**
     * Pictures of several shapes are also asked the colour of the one shape of its kind and the
     * kind of the one shape of its colour, each answered as the picture gives it (the answers are
     * checked in {@link #aGroupAsksSeveralQuestionsAboutOnePictureEachAnsweredByIt}).
     */
    @Test
    void severalShapesAreAskedTheColourOfAKindAndTheKindOfAColour() {
        ShapesDataset data = new ShapesDataset(112, 29);
        int colourOfKind = 0;
        int kindOfColour = 0;
        for (int i = 0; i < 2_000; i++) {
            for (Example example : data.nextGroup(4)) {
                colourOfKind += example.kind() == QuestionKind.COLOUR_OF_KIND ? 1 : 0;
                kindOfColour += example.kind() == QuestionKind.KIND_OF_COLOUR ? 1 : 0;
            }
        }
        assertThat(colourOfKind).isGreaterThan(200);
        assertThat(kindOfColour).isGreaterThan(200);
    }

    /**
     * The binding row of --eval is half yes, half no, so neither answer alone scores above about
     * half, nor does "the colour is there and the kind is there", which says yes to all of it.
     * It is never drawn for training.
     */
    @Test
    void bindingQuestionsAreHalfYesAndNeverTrainedOn() {
        ShapesDataset data = new ShapesDataset(112, 31);
        int yes = 0;
        for (int i = 0; i < 1_000; i++) {
            yes += data.next(QuestionKind.YES_NO_BINDING).answer().startsWith("Yes") ? 1 : 0;
        }
        assertThat(yes).isBetween(430, 570);
        for (int i = 0; i < 2_000; i++) {
            assertThat(data.nextGroup(4)).noneMatch(e -> e.kind() == QuestionKind.YES_NO_BINDING);
        }
    }

    /** Groups do ask more than one question: most pictures are read for several answers. */
    @Test
    void mostPicturesCarrySeveralQuestions() {
        ShapesDataset data = new ShapesDataset(112, 17);
        int pictures = 0;
        int questions = 0;
        for (int i = 0; i < 1_000; i++) {
            List<Example> group = data.nextGroup(4);
            if (group.get(0).scene() != null) {
                pictures++;
                questions += group.size();
            }
        }
        assertThat((double) questions / pictures).isGreaterThan(3.0);
    }

    @Test
    void sameSeedGivesTheSameExamplesAndImagesAndAnotherSeedDiffers() {
        Trials.forAll(5, random -> random.nextLong(), seed -> {
            ShapesDataset a = new ShapesDataset(112, seed);
            ShapesDataset b = new ShapesDataset(112, seed);
            ShapesDataset other = new ShapesDataset(112, seed + 1);
            int differing = 0;
            for (int i = 0; i < 50; i++) {
                Example x = a.next();
                Example y = b.next();
                assertThat(y).isEqualTo(x);
                if (x.scene() != null) {
                    assertThat(SceneRenderer.render(y.scene())).isEqualTo(SceneRenderer.render(x.scene()));
                }
                differing += other.next().equals(x) ? 0 : 1;
            }
            assertThat(differing).isGreaterThan(40);
        });
    }

    @Test
    void nextOfAKindGivesThatKindAndCountsCoverOneToFive() {
        Trials.forAll(3, random -> new ShapesDataset(112, random.nextLong()), dataset -> {
            for (QuestionKind kind : QuestionKind.values()) {
                for (int i = 0; i < 50; i++) {
                    assertThat(dataset.next(kind).kind()).isEqualTo(kind);
                }
            }
            Set<String> numbers = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                Matcher m = COUNT_ANSWER.matcher(dataset.next(QuestionKind.COUNT).answer());
                assertThat(m.matches()).isTrue();
                numbers.add(m.group(1));
            }
            assertThat(numbers).containsExactlyInAnyOrderElementsOf(NUMBERS);
        });
    }

    @Test
    void nextMixesEveryKindByItsWeight() {
        assertThat(ShapesDataset.WEIGHTS.keySet()).containsExactlyInAnyOrder(QuestionKind.values());
        assertThat(ShapesDataset.WEIGHTS.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
        Trials.forAll(3, random -> new ShapesDataset(112, random.nextLong()), dataset -> {
            Set<QuestionKind> seen = EnumSet.noneOf(QuestionKind.class);
            for (int i = 0; i < 500; i++) {
                seen.add(dataset.next().kind());
            }
            // Kinds of weight 0 are asked only as further questions about a picture (nextGroup).
            assertThat(seen).containsExactlyInAnyOrderElementsOf(ShapesDataset.WEIGHTS.entrySet().stream()
                    .filter(w -> w.getValue() > 0).map(Map.Entry::getKey).toList());
            Map<QuestionKind, Integer> counts = new EnumMap<>(QuestionKind.class);
            for (int i = 0; i < 5_000; i++) {
                counts.merge(dataset.next().kind(), 1, Integer::sum);
            }
            ShapesDataset.WEIGHTS.forEach((kind, weight) ->
                    assertThat(counts.getOrDefault(kind, 0) / 50.0).as("%s per cent", kind).isBetween(weight - 3.0, weight + 3.0));
        });
    }

    // POPE's balance: "yes" alone scores about half, and neither does the question's form (kind
    // alone, or colour and kind) give the answer away.
    @Test
    void yesNoQuestionsAreBalancedAsInPope() {
        Trials.forAll(3, random -> new ShapesDataset(112, random.nextLong()), dataset -> {
            int[] yes = new int[2];
            int[] asked = new int[2];
            for (int i = 0; i < 2_000; i++) {
                Example example = dataset.next(QuestionKind.YES_NO);
                Matcher m = YES_NO_QUESTION.matcher(example.question());
                assertThat(m.matches()).isTrue();
                int form = m.group(1) == null ? 0 : 1;
                asked[form]++;
                yes[form] += example.answer().startsWith("Yes") ? 1 : 0;
            }
            assertThat((yes[0] + yes[1]) / 2_000.0).isBetween(0.40, 0.60);
            for (int form = 0; form < 2; form++) {
                assertThat(yes[form] / (double) asked[form]).isBetween(0.35, 0.65);
            }
        });
    }

    @Test
    void refusesATinySide() {
        assertThatThrownBy(() -> new ShapesDataset(47, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ShapesDataset(48, 1).next(QuestionKind.COUNT).scene().side()).isEqualTo(48);
    }

    private static String expectedAnswer(Example example) {
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

    private static void assertSceneFollowsTheRules(Scene scene) {
        List<PlacedShape> shapes = scene.shapes();
        double side = scene.side();
        for (PlacedShape shape : shapes) {
            assertThat(shape.left()).isGreaterThanOrEqualTo(2);
            assertThat(shape.top()).isGreaterThanOrEqualTo(2);
            assertThat(shape.right()).isLessThanOrEqualTo(side - 2);
            assertThat(shape.bottom()).isLessThanOrEqualTo(side - 2);
            if (shapes.size() == 1) {
                assertThat(shape.size() / side).isBetween(0.35, 0.60);
            } else {
                // fewer shapes are drawn larger: 0.26-0.36 of the side for two, down to 0.17-0.24 for five
                double largest = 0.36 - 0.04 * (shapes.size() - 2);
                assertThat(shape.size() / side).isBetween(0.72 * largest - 1e-9, largest);
            }
        }
        for (int i = 0; i < shapes.size(); i++) {
            for (int j = i + 1; j < shapes.size(); j++) {
                PlacedShape a = shapes.get(i);
                PlacedShape b = shapes.get(j);
                boolean apart = a.centreX() + a.size() / 2 + 2 <= b.centreX() - b.size() / 2
                        || b.centreX() + b.size() / 2 + 2 <= a.centreX() - a.size() / 2
                        || a.centreY() + a.size() / 2 + 2 <= b.centreY() - b.size() / 2
                        || b.centreY() + b.size() / 2 + 2 <= a.centreY() - a.size() / 2;
                assertThat(apart).as("%s and %s do not touch", a, b).isTrue();
            }
        }
    }

    private static List<PlacedShape> byX(Scene scene) {
        return scene.shapes().stream().sorted((a, b) -> Double.compare(a.centreX(), b.centreX())).toList();
    }

    private static Set<String> words(String text) {
        Set<String> words = new HashSet<>(Arrays.asList(text.split("[^A-Za-z]+")));
        words.remove("");
        return words;
    }
}
