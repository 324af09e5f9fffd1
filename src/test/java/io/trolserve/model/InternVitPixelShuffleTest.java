package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import io.trolserve.testkit.Trials;
import io.trolserve.torch.Libtorch;

/**
 * The pixel shuffle alone against the index mapping docs/TROL_3_8B.md §2 step 7 states: output
 * token k = r*(g/2) + c, channel t*2C + s*C + ch holds input x[2r+t, 2c+s, ch].
 */
class InternVitPixelShuffleTest {

    record Shape(int tiles, int grid, int channels) {
    }

    @Test
    void everyChannelComesFromItsPatch() {
        Libtorch.ensureLoaded();
        Trials.forAll(20, r -> new Shape(1 + r.nextInt(3), 2 * (1 + r.nextInt(17)), 1 + r.nextInt(5)), s -> {
            try (PointerScope scope = new PointerScope()) {
                int n = s.tiles();
                int g = s.grid();
                int ch = s.channels();
                float[] x = new float[n * g * g * ch];
                for (int i = 0; i < x.length; i++) {
                    x[i] = i;                                    // each value names its own position
                }
                Tensor out = InternVitTower.pixelShuffle(AbstractTensor.create(x, n, g, g, ch)).contiguous();
                int half = g / 2;
                assertThat(out.sizes().vec().get()).containsExactly(n, (long) half * half, 4L * ch);
                float[] y = new float[(int) out.numel()];
                out.data_ptr_float().get(y);
                for (int tile = 0; tile < n; tile++) {
                    for (int k = 0; k < half * half; k++) {
                        int row = k / half;
                        int col = k % half;
                        for (int channel = 0; channel < 4 * ch; channel++) {
                            int t = channel / (2 * ch);
                            int sIdx = (channel / ch) % 2;
                            int c = channel % ch;
                            float want = x[((tile * g + 2 * row + t) * g + 2 * col + sIdx) * ch + c];
                            assertThat(y[(tile * half * half + k) * 4 * ch + channel])
                                    .as("tile %d token %d channel %d", tile, k, channel).isEqualTo(want);
                        }
                    }
                }
            }
        });
    }

    @Test
    void the448GridGives256TokensWhoseFirstIsTheTopLeftBlock() {
        Libtorch.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            float[] x = new float[32 * 32];
            for (int i = 0; i < x.length; i++) {
                x[i] = i;                                        // one channel: value = row*32 + col
            }
            Tensor out = InternVitTower.pixelShuffle(AbstractTensor.create(x, 1, 32, 32, 1)).contiguous();
            assertThat(out.sizes().vec().get()).containsExactly(1L, 256L, 4L);
            float[] token0 = new float[4];
            float[] token17 = new float[4];
            out.select(1, 0).contiguous().data_ptr_float().get(token0);
            out.select(1, 17).contiguous().data_ptr_float().get(token17);       // r = 1, c = 1
            assertThat(token0).containsExactly(0, 1, 32, 33);                   // TL, TR, BL, BR
            assertThat(token17).containsExactly(66, 67, 98, 99);
        }
    }

    @Test
    void anOddOrNonSquareGridIsRefused() {
        Libtorch.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            assertThatThrownBy(() -> InternVitTower.pixelShuffle(AbstractTensor.create(new float[9], 1, 3, 3, 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3x3");
            assertThatThrownBy(() -> InternVitTower.pixelShuffle(AbstractTensor.create(new float[8], 1, 2, 4, 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2x4");
        }
    }
}
