package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import io.trolserve.testkit.Trials;
import io.trolserve.torch.Libtorch;

/** ToTensor + Normalize(ImageNet) per tile (docs/TROL_3_8B.md §3.5), step by step in float32. */
class TilePixelsTest {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    record Tiles(int side, List<byte[]> rgb) {
        @Override
        public String toString() {
            return rgb.size() + " tiles of " + side + "x" + side;
        }
    }

    @Test
    void everyValueIsTheFloat32FormulaOfItsByte() {
        Libtorch.ensureLoaded();
        Trials.forAll(10, r -> {
            int side = 1 + r.nextInt(9);
            List<byte[]> tiles = new ArrayList<>();
            for (int t = 0, n = 1 + r.nextInt(3); t < n; t++) {
                byte[] rgb = new byte[side * side * 3];
                for (int i = 0; i < rgb.length; i++) {
                    rgb[i] = (byte) r.nextInt(256);
                }
                tiles.add(rgb);
            }
            return new Tiles(side, tiles);
        }, c -> {
            try (PointerScope scope = new PointerScope()) {
                int s = c.side();
                Tensor pixels = TilePixels.normalise(c.rgb(), s, Placement.cpuFloat32());
                assertThat(pixels.sizes().vec().get()).containsExactly(c.rgb().size(), 3L, s, s);
                float[] got = new float[(int) pixels.numel()];
                pixels.data_ptr_float().get(got);
                for (int t = 0; t < c.rgb().size(); t++) {
                    for (int ch = 0; ch < 3; ch++) {
                        for (int y = 0; y < s; y++) {
                            for (int x = 0; x < s; x++) {
                                int v = c.rgb().get(t)[(y * s + x) * 3 + ch] & 0xff;
                                float want = ((v / 255f) - MEAN[ch]) / STD[ch];
                                assertThat(got[((t * 3 + ch) * s + y) * s + x])
                                        .as("tile %d channel %d at (%d, %d), byte %d", t, ch, x, y, v).isEqualTo(want);
                            }
                        }
                    }
                }
            }
        });
    }

    @Test
    void aTileOfTheWrongSizeIsNamed() {
        Libtorch.ensureLoaded();
        List<byte[]> tiles = List.of(new byte[4 * 4 * 3], new byte[4 * 4 * 3 - 1]);
        assertThatThrownBy(() -> TilePixels.normalise(tiles, 4, Placement.cpuFloat32()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("tile 1 has 47 bytes, expected 48 (4x4 RGB)");
        assertThatThrownBy(() -> TilePixels.normalise(List.of(), 4, Placement.cpuFloat32()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no tiles to normalise");
    }
}
