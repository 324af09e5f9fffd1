package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

import io.trolserve.tiny.TinyCheckpointSpec;
import io.trolserve.tiny.TinyCheckpointWriter;
import io.trolserve.torch.Libtorch;

/**
 * The fused wqkv output is kv-head-major (TROL_SPEC §4): per kv head h, g query heads, then the
 * key, then the value. Feeding the index of each output column through the split shows where
 * every column lands; expected positions are computed here from the spec's arithmetic.
 */
class WqkvLayoutTest {

    @Test
    void queriesKeysAndValuesComeFromTheirGroupSlots() {
        Libtorch.ensureLoaded();
        // 6 query heads, 2 kv heads (g = 3), head dim 4: a row of (6 + 2*2) * 4 = 40 columns
        TrolConfig c = TinyCheckpointWriter.configOf(TinyCheckpointSpec.micro().toBuilder()
                .language(24, 32, 1, 6, 2).build());
        int d = c.headDim();
        int g = c.groups();
        try (PointerScope scope = new PointerScope()) {
            Tensor columns = torch.arange(new Scalar((double) c.qkvRows()), new TensorOptions(ScalarType.Float))
                    .unsqueeze(0);                                                          // (1, 40): value = column index
            Tensor grouped = DecoderLayer.grouped(columns, c);
            Tensor q = DecoderLayer.queries(grouped, c);                                     // (1, 6, 4)
            Tensor k = DecoderLayer.keys(grouped, c);                                        // (1, 2, 4)
            Tensor v = DecoderLayer.values(grouped, c);
            for (int head = 0; head < c.numHeads(); head++) {
                int kvHead = head / g;
                int slot = head % g;
                for (int e = 0; e < d; e++) {
                    assertThat(at(q, head, e)).as("q head %d elem %d", head, e)
                            .isEqualTo((float) ((kvHead * (g + 2) + slot) * d + e));
                }
            }
            for (int kvHead = 0; kvHead < c.numKvHeads(); kvHead++) {
                for (int e = 0; e < d; e++) {
                    assertThat(at(k, kvHead, e)).isEqualTo((float) ((kvHead * (g + 2) + g) * d + e));
                    assertThat(at(v, kvHead, e)).isEqualTo((float) ((kvHead * (g + 2) + g + 1) * d + e));
                }
            }
            // the plain q|k|v split would put key columns of head 0 at 24..27: not what TroL does
            assertThat(at(k, 0, 0)).isNotEqualTo(24f);
        }
    }

    /** Element [0, i, j] of a (1, A, B) tensor. */
    private static float at(Tensor t, long i, long j) {
        return t.select(0, 0).select(0, i).select(0, j).item_float();
    }
}
