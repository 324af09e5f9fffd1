package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * The window of {@link SlidingWindowAttention}: the query at position p sees keys p - sw .. p
 * (flash-attn's {@code window_size = (sw, sw)}, causal), and the windowed path is taken exactly when
 * some row has a key to cut. Its numbers are checked end to end by {@link Phi3ReferenceTest}'s
 * "window" case.
 */
class SlidingWindowAttentionTest {

    @Test
    void theMaskOfAPromptFromPositionZero() {
        assertThat(mask(5, 0, 2)).isEqualTo(new int[][] {
                {1, 0, 0, 0, 0},
                {1, 1, 0, 0, 0},
                {1, 1, 1, 0, 0},
                {0, 1, 1, 1, 0},
                {0, 0, 1, 1, 1}});
    }

    @Test
    void theMaskOfALaterChunkAndOfADecodeRow() {
        assertThat(mask(2, 3, 2)).isEqualTo(new int[][] {
                {0, 1, 1, 1, 0},
                {0, 0, 1, 1, 1}});
        assertThat(mask(1, 6, 3)).isEqualTo(new int[][] {{0, 0, 0, 1, 1, 1, 1}});
    }

    @Test
    void theWindowAppliesOnceARowIsFurtherThanTheWindowFromKeyZero() {
        assertThat(cuts(4, new PassRows.Segment(0, 5, 0, null))).isFalse();   // positions 0..4: all keys seen
        assertThat(cuts(4, new PassRows.Segment(0, 6, 0, null))).isTrue();    // position 5 loses key 0
        assertThat(cuts(4, new PassRows.Segment(0, 1, 4, null))).isFalse();
        assertThat(cuts(4, new PassRows.Segment(0, 1, 5, null))).isTrue();
        assertThat(cuts(4, new PassRows.Segment(0, 1, 0, null), new PassRows.Segment(1, 1, 9, null))).isTrue();
    }

    private static boolean cuts(int window, PassRows.Segment... segments) {
        int rows = 0;
        for (PassRows.Segment s : segments) {
            rows += s.numRows();
        }
        return SlidingWindowAttention.cutsAnyKey(new PassRows(rows, null, null, null, List.of(segments), null), window);
    }

    private static int[][] mask(int n, int start, int window) {
        try (PointerScope scope = new PointerScope();
             Device cpu = new Device("cpu")) {
            Tensor m = SlidingWindowAttention.windowMask(n, start, window, cpu).to(ScalarType.Float).contiguous();
            float[] flat = new float[(int) m.numel()];
            m.data_ptr_float().get(flat);
            int[][] out = new int[n][start + n];
            for (int i = 0; i < flat.length; i++) {
                out[i / (start + n)][i % (start + n)] = (int) flat[i];
            }
            return out;
        }
    }
}
