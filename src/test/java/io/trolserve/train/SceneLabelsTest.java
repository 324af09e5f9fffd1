package io.trolserve.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.trolserve.testkit.Trials;

class SceneLabelsTest {

    @Test
    void aSceneOfThreeShapesCountsTheKindsAndNamesTheEnds() {
        Scene scene = new Scene(112, false, 0, List.of(
                new PlacedShape(ShapeKind.STAR, ShapeColour.RED, 80, 30, 20),
                new PlacedShape(ShapeKind.CIRCLE, ShapeColour.BLUE, 20, 80, 20),
                new PlacedShape(ShapeKind.CIRCLE, ShapeColour.RED, 50, 50, 20)));
        SceneLabels labels = SceneLabels.of(scene);
        assertThat(labels.total()).isEqualTo(3);
        assertThat(labels.perKind()).containsExactly(2, 0, 0, 1);
        assertThat(labels.present()[SceneLabels.presentIndex(ShapeColour.RED, ShapeKind.STAR)]).isTrue();
        assertThat(labels.present()[SceneLabels.presentIndex(ShapeColour.BLUE, ShapeKind.STAR)]).isFalse();
        assertThat(labels.leftKind()).isEqualTo(ShapeKind.CIRCLE.ordinal() + 1);
        assertThat(labels.rightKind()).isEqualTo(ShapeKind.STAR.ordinal() + 1);
    }

    @Test
    void anEmptySceneHasNoEnds() {
        SceneLabels labels = SceneLabels.of(new Scene(112, true, 3, List.of()));
        assertThat(labels.total()).isZero();
        assertThat(labels.leftKind()).isZero();
        assertThat(labels.rightKind()).isZero();
    }

    @Test
    void moreShapesThanTheCountsCoverAreRefused() {
        PlacedShape one = new PlacedShape(ShapeKind.SQUARE, ShapeColour.GREEN, 10, 10, 5);
        Scene six = new Scene(112, false, 0, Collections.nCopies(6, one));
        assertThatThrownBy(() -> SceneLabels.of(six)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 5");
    }

    /** The labels agree with the scene's own answers, for every kind of generated example. */
    @Test
    void labelsAgreeWithTheScenesAnswers() {
        Trials.forAll(1_000, random -> new ShapesDataset(112, random.nextLong()).next(), example -> {
            Scene scene = example.scene();
            if (scene == null) {
                return;
            }
            SceneLabels labels = SceneLabels.of(scene);
            assertThat(labels.total()).isEqualTo(scene.shapes().size());
            int sum = 0;
            for (ShapeKind kind : ShapeKind.values()) {
                assertThat(labels.perKind()[kind.ordinal()]).isEqualTo(scene.count(kind));
                sum += labels.perKind()[kind.ordinal()];
                for (ShapeColour colour : ShapeColour.values()) {
                    assertThat(labels.present()[SceneLabels.presentIndex(colour, kind)])
                            .isEqualTo(scene.contains(colour, kind));
                }
            }
            assertThat(sum).isEqualTo(labels.total());
            PlacedShape leftmost = scene.shapes().stream().min((a, b) -> Double.compare(a.centreX(), b.centreX())).orElseThrow();
            assertThat(labels.leftKind()).isEqualTo(leftmost.kind().ordinal() + 1);
        });
    }
}
