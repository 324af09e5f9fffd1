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
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;

import io.trolserve.testkit.Trials;

/**
 * Every answer is recomputed from the scene and the question's words alone, independently of how
 * the dataset built it ({@link ShapesOracle}); the scenes are checked against the rules.
 */
class ShapesDatasetTest {

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
                    assertThat(example.answer()).isEqualTo(ShapesOracle.expectedAnswer(example));
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
                        assertThat(example.answer()).isEqualTo(ShapesOracle.expectedAnswer(example));
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
            Matcher present = ShapesOracle.YES_NO_QUESTION.matcher(group.get(2).question());
            Matcher absent = ShapesOracle.YES_NO_QUESTION.matcher(group.get(3).question());
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
                Matcher m = ShapesOracle.COUNT_ANSWER.matcher(dataset.next(QuestionKind.COUNT).answer());
                assertThat(m.matches()).isTrue();
                numbers.add(m.group(1));
            }
            assertThat(numbers).containsExactlyInAnyOrderElementsOf(ShapesOracle.NUMBERS);
        });
    }

    @Test
    void nextMixesEveryKindByItsWeight() {
        assertThat(Arrays.stream(QuestionKind.values()).mapToInt(QuestionKind::weight).sum()).isEqualTo(100);
        Trials.forAll(3, random -> new ShapesDataset(112, random.nextLong()), dataset -> {
            Set<QuestionKind> seen = EnumSet.noneOf(QuestionKind.class);
            for (int i = 0; i < 500; i++) {
                seen.add(dataset.next().kind());
            }
            // Kinds of weight 0 are asked only as further questions about a picture (nextGroup), or held out.
            assertThat(seen).containsExactlyInAnyOrderElementsOf(Arrays.stream(QuestionKind.values())
                    .filter(k -> k.weight() > 0).toList());
            Map<QuestionKind, Integer> counts = new EnumMap<>(QuestionKind.class);
            for (int i = 0; i < 5_000; i++) {
                counts.merge(dataset.next().kind(), 1, Integer::sum);
            }
            for (QuestionKind kind : QuestionKind.values()) {
                assertThat(counts.getOrDefault(kind, 0) / 50.0).as("%s per cent", kind)
                        .isBetween(kind.weight() - 3.0, kind.weight() + 3.0);
            }
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
                Matcher m = ShapesOracle.YES_NO_QUESTION.matcher(example.question());
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

    private static Set<String> words(String text) {
        Set<String> words = new HashSet<>(Arrays.asList(text.split("[^A-Za-z]+")));
        words.remove("");
        return words;
    }
}
