package io.trolserve.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.trolserve.testkit.Trials;

class PopeQueryTest {

    /** A scene of one to four shapes, as yes/no questions are asked about, and a question about it. */
    private record Case(Scene scene, PopeQuery asked, SceneSampler sampler) {
    }

    private static Case draw(SplittableRandom random) {
        SceneSampler sampler = new SceneSampler(112, random);
        List<SceneSampler.Look> looks = new ArrayList<>();
        int shapes = 1 + random.nextInt(4);
        for (int i = 0; i < shapes; i++) {
            // few kinds and colours, so that scenes often hold a kind twice or every kind asked about
            looks.add(new SceneSampler.Look(ShapeKind.values()[random.nextInt(2)], ShapeColour.values()[random.nextInt(2)]));
        }
        Scene scene = sampler.scatter(looks);
        PopeQuery asked = random.nextBoolean() ? PopeQuery.present(scene, sampler) : PopeQuery.absent(scene, sampler);
        return new Case(scene, asked, sampler);
    }

    /**
     * The opposite always has the other answer, and it is asked in the same form, differing where
     * it can in one word: another kind, or the same kind in another colour.
     */
    @Test
    void theOppositeHasTheOtherAnswerAndDiffersAsLittleAsTheSceneAllows() {
        Trials.forAll(3_000, PopeQueryTest::draw, c -> {
            boolean present = c.scene().contains(c.asked().colour(), c.asked().kind());
            PopeQuery opposite = PopeQuery.opposite(c.asked(), c.scene(), c.sampler());
            assertThat(c.scene().contains(opposite.colour(), opposite.kind())).isNotEqualTo(present);
            if (c.asked().colour() != null && (present || c.scene().count(c.asked().kind()) > 0)) {
                // a kind in the scene: some colour of it is there and some is not
                assertThat(opposite.kind()).isEqualTo(c.asked().kind());
                assertThat(opposite.colour()).isNotNull().isNotEqualTo(c.asked().colour());
            }
            if (c.asked().colour() == null && !present) {
                assertThat(opposite.colour()).isNull();
                assertThat(opposite.kind()).isNotEqualTo(c.asked().kind());
            }
        });
    }
}
