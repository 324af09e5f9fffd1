package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Device;
import org.junit.jupiter.api.Test;

/**
 * {@link Phi3RotaryEmbedding}'s tables against the formulas of docs/TROL_3_8B.md §4 evaluated in
 * double precision, its magnitude scale for su and yarn, and its refusal of positions from
 * original_max_position_embeddings on (where the official factor choice depends on the call).
 */
class Phi3RotaryEmbeddingTest {

    @Test
    void suTablesAreTheScaledRotationOfTheShortFactors() {
        Phi3Config c = Phi3Config.read(Phi3Fixture.DIR.resolve("su/config.json"));
        assertThat(Phi3RotaryEmbedding.magnitude(c)).isCloseTo(Math.sqrt(1.5), within(1e-12));   // s = 64/16
        assertTables(c, Math.sqrt(1.5), c.ropeScaling().shortFactor(), 16);
    }

    @Test
    void yarnTablesUseTheYarnMagnitude() {
        Phi3Config c = Phi3Config.read(Phi3Fixture.DIR.resolve("yarn/config.json"));
        assertThat(Phi3RotaryEmbedding.magnitude(c)).isCloseTo(0.1 * Math.log(4) + 1, within(1e-12));
        assertTables(c, 0.1 * Math.log(4) + 1, c.ropeScaling().shortFactor(), 16);
    }

    @Test
    void plainTablesAreUnscaledUpToMaxPositions() {
        Phi3Config c = Phi3Config.read(Phi3Fixture.DIR.resolve("plain/config.json"));
        assertThat(Phi3RotaryEmbedding.magnitude(c)).isEqualTo(1.0);
        assertTables(c, 1.0, null, 32);
    }

    @Test
    void phi3Mini128kScalesEveryLogitBySeventeenTwelfths() {
        Phi3Config mini = new Phi3Config(32064, 3072, 8192, 32, 32, 32, 1e-5, 10000, new Phi3Config.RopeScaling(
                Phi3Config.RopeScaling.Type.SU, List.of(), List.of()), 131072, 4096, 262144, 1, 32000, false);
        assertThat(Phi3RotaryEmbedding.magnitude(mini)).isCloseTo(1.1902381, within(1e-7));
        assertThat(Math.pow(Phi3RotaryEmbedding.magnitude(mini), 2)).isCloseTo(17.0 / 12, within(1e-12));
    }

    @Test
    void scaledSequencesStopBeforeTheLongFactors() {
        Phi3Config su = Phi3Config.read(Phi3Fixture.DIR.resolve("su/config.json"));
        try (Phi3RotaryEmbedding rope = new Phi3RotaryEmbedding(su, Placement.cpuFloat32())) {
            rope.checkLength(16);
            assertThatThrownBy(() -> rope.checkLength(17)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("original_max_position_embeddings 16").hasMessageContaining("long factors");
        }
        Phi3Config plain = Phi3Config.read(Phi3Fixture.DIR.resolve("plain/config.json"));
        try (Phi3RotaryEmbedding rope = new Phi3RotaryEmbedding(plain, Placement.cpuFloat32())) {
            rope.checkLength(32);
            assertThatThrownBy(() -> rope.checkLength(33)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("max_position_embeddings 32");
        }
    }

    @Test
    void theForwardRefusesADecodeStepAtTheBoundary() {
        try (Phi3Fixture f = new Phi3Fixture("su");
             ContiguousKvStore store = new ContiguousKvStore(f.kvLayout(), 17);
             PointerScope scope = new PointerScope();
             Device cpu = new Device("cpu")) {
            ForwardBatch step = new ForwardBatch(new int[1],
                    List.of(new ForwardBatch.Sequence(1, 16, false, store, null)), null, new int[] {0});
            assertThatThrownBy(() -> f.model.forward(step, f.decode.narrow(0, 0, 1), cpu))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sequence of 17 tokens reaches original_max_position_embeddings 16");
        }
    }

    /** cos and sin rows of every position, both halves, against m cos(p / (f_k theta^(2k/d))) in double. */
    private static void assertTables(Phi3Config c, double m, List<Double> factors, int positions) {
        int d = c.headDim();
        try (Phi3RotaryEmbedding rope = new Phi3RotaryEmbedding(c, Placement.cpuFloat32());
             PointerScope scope = new PointerScope()) {
            assertThat(rope.maxPositions()).isEqualTo(positions);
            long[] all = new long[positions];
            for (int p = 0; p < positions; p++) {
                all[p] = p;
            }
            float[][] cos = Phi3Steps.rows(rope.cosAt(AbstractTensor.create(all)));
            float[][] sin = Phi3Steps.rows(rope.sinAt(AbstractTensor.create(all)));
            for (int p = 0; p < positions; p++) {
                for (int k = 0; k < d / 2; k++) {
                    double factor = factors == null ? 1.0 : factors.get(k);
                    double angle = p / (factor * Math.pow(c.ropeTheta(), 2.0 * k / d));
                    for (int half : new int[] {0, d / 2}) {
                        assertThat((double) cos[p][k + half]).as("cos p=%d k=%d", p, k).isCloseTo(m * Math.cos(angle), within(2e-6));
                        assertThat((double) sin[p][k + half]).as("sin p=%d k=%d", p, k).isCloseTo(m * Math.sin(angle), within(2e-6));
                    }
                }
            }
        }
    }
}
