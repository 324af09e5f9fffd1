package io.trolserve.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.trolserve.testkit.Trials;

class PatchLabelsTest {

    @Test
    void cellsUnderAShapeCarryItsKindAndColourAndTheRestNone() {
        Scene scene = new Scene(112, false, 0, List.of(new PlacedShape(ShapeKind.SQUARE, ShapeColour.BLUE, 56, 56, 28)));
        PatchLabels labels = PatchLabels.of(scene, 8);
        assertThat(labels.kinds()).hasSize(64);
        // the square spans x, y in [42, 70): cells 3 and 4 of rows 3 and 4 are wholly inside it
        for (int cell : new int[] {3 * 8 + 3, 3 * 8 + 4, 4 * 8 + 3, 4 * 8 + 4}) {
            assertThat(labels.kinds()[cell]).isEqualTo(ShapeKind.SQUARE.ordinal() + 1);
            assertThat(labels.colours()[cell]).isEqualTo(ShapeColour.BLUE.ordinal() + 1);
        }
        assertThat(labels.kinds()[0]).isZero();
        assertThat(labels.colours()[63]).isZero();
        assertThat(Arrays.stream(labels.kinds()).filter(k -> k != 0).count()).isEqualTo(4);
    }

    /** Every labelled cell lies under the shape it names, in any generated scene. */
    @Test
    void everyLabelNamesAShapeThatCoversItsCell() {
        Trials.forAll(300, random -> new ShapesDataset(112, random.nextLong()).next(QuestionKind.COUNT).scene(), scene -> {
            PatchLabels labels = PatchLabels.of(scene, 8);
            for (int cell = 0; cell < 64; cell++) {
                double x = (cell % 8 + 0.5) * 14;
                double y = (cell / 8 + 0.5) * 14;
                if (labels.kinds()[cell] == 0) {
                    assertThat(labels.colours()[cell]).isZero();
                    continue;
                }
                ShapeKind kind = ShapeKind.values()[(int) labels.kinds()[cell] - 1];
                ShapeColour colour = ShapeColour.values()[(int) labels.colours()[cell] - 1];
                assertThat(scene.shapes()).as("cell %d", cell).anySatisfy(s -> {
                    assertThat(s.kind()).isEqualTo(kind);
                    assertThat(s.colour()).isEqualTo(colour);
                    assertThat(Math.abs(s.centreX() - x)).isLessThanOrEqualTo(s.size() / 2 + 7);
                    assertThat(Math.abs(s.centreY() - y)).isLessThanOrEqualTo(s.size() / 2 + 7);
                });
            }
        });
    }
}
