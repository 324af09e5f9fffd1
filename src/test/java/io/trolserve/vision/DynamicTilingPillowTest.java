package io.trolserve.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Oracle tier, end to end: whole tile sets equal what the official {@code dynamic_preprocess}
 * semantics give with Pillow 9.4 (tools/reference/pillow_resize_fixtures.py): the grid, the number
 * of tiles, and every tile's bytes, thumbnail included.
 */
class DynamicTilingPillowTest {

    static List<PillowFixtures.Tiles> tileSets() {
        return PillowFixtures.tileSets();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tileSets")
    void tilesEqualPillowsByteForByte(PillowFixtures.Tiles t) {
        TiledImage tiled = DynamicTiling.tile(new DecodedImage(t.width(), t.height(), t.rgb(), "test"));

        assertThat(tiled.grid()).isEqualTo(t.grid());
        assertThat(tiled.count()).isEqualTo(t.sha256s().size());
        byte[] expected = t.expectedRgb();
        if (expected != null) {
            assertThat(PillowFixtures.firstDifference(448, expected, tiled.rgb())).isNull();
        }
        for (int k = 0; k < tiled.count(); k++) {
            assertThat(PillowFixtures.sha256(tiled.tile(k))).as("tile %d of %d", k, tiled.count())
                    .isEqualTo(t.sha256s().get(k));
        }
    }
}
