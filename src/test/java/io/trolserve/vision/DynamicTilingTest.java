package io.trolserve.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.trolserve.testkit.Trials;

/**
 * Plain tier: TroL-3.8B's tile choice and cutting (docs/TROL_3_8B.md §3.2-3.4), against the
 * official function's results: the sizes, the doc's worked results, and 2,784 sizes the
 * official semantics gave in Python ({@code choice.tsv}).
 */
class DynamicTilingTest {

    @ParameterizedTest(name = "{0}x{1} -> {2}x{3}, {4} tiles")
    @CsvSource({
        // the sizes
        "1, 1, 1, 1, 1", "3000, 2, 6, 1, 7", "448, 448, 1, 1, 1", "1000, 300, 3, 1, 4", "300, 1000, 1, 3, 4",
        // the doc's worked results (§3.3)
        "1000, 1000, 2, 2, 5", "896, 896, 2, 2, 5", "634, 634, 2, 2, 5", "1000, 800, 3, 2, 7", "5, 4, 1, 1, 1",
        "800, 600, 3, 2, 7", "640, 480, 3, 2, 7", "1920, 1080, 2, 1, 3", "2, 3000, 1, 6, 7",
        // a square just under half of 2x2's pixels stays one tile: 633^2 = 400689 <= 401408
        "633, 633, 1, 1, 1",
        // ratio 1.75 is exactly between 3:2 and 2:1; 3:2 wins once 28 k^2 > 602112, i.e. k >= 147
        "1022, 584, 2, 1, 3", "1029, 588, 3, 2, 7",
        // ratio 1.25 is exactly between 1:1 (and 2:2) and 3:2; the tie moves to 2:2 past 401408 pixels
        // and on to 3:2 past 602112: 560x448 has 250880, 865x692 598580, 870x696 605520
        "560, 448, 1, 1, 1", "865, 692, 2, 2, 5", "870, 696, 3, 2, 7",
    })
    void choosesTheOfficialGrid(int width, int height, int across, int down, int count) {
        TileGrid grid = DynamicTiling.choose(width, height);

        assertThat(grid).isEqualTo(new TileGrid(across, down));
        assertThat(grid.imageCount()).isEqualTo(count);
        assertThat(grid.hasThumbnail()).isEqualTo(count != 1);
    }

    @Test
    void agreesWithTheOfficialChoiceOnEveryFixtureSize() {
        List<PillowFixtures.Choice> choices = PillowFixtures.choices();
        assertThat(choices).hasSizeGreaterThan(2000);
        for (PillowFixtures.Choice c : choices) {
            assertThat(DynamicTiling.choose(c.width(), c.height())).as("%dx%d", c.width(), c.height()).isEqualTo(c.grid());
        }
    }

    @Test
    void agreesWithARestatementOfTheRuleOnRandomSizes() {
        Trials.forAll(20_000, DynamicTilingTest::randomSize,
                s -> assertThat(DynamicTiling.choose(s[0], s[1])).isEqualTo(restated(s[0], s[1])));
    }

    /** Every grid of 1 to 6 tiles, once each, fewer tiles first. */
    @Test
    void candidatesAreEveryGridUpToSixTilesByTileCount() {
        List<TileGrid> all = new ArrayList<>();
        for (int across = 1; across <= 6; across++) {
            for (int down = 1; across * down <= 6; down++) {
                all.add(new TileGrid(across, down));
            }
        }
        assertThat(DynamicTiling.CANDIDATES).containsExactlyInAnyOrderElementsOf(all)
                .isSortedAccordingTo(Comparator.comparingInt(TileGrid::gridTiles));
    }

    /** What lets the Java fix one order: Python's set order within a tile count never matters. */
    @Test
    void theOrderWithinATileCountChangesNoChoice() {
        List<TileGrid> reversedWithinCounts = new ArrayList<>(DynamicTiling.CANDIDATES);
        Collections.reverse(reversedWithinCounts);
        reversedWithinCounts.sort(Comparator.comparingInt(TileGrid::gridTiles));   // stable: each count stays reversed
        assertThat(reversedWithinCounts).isNotEqualTo(DynamicTiling.CANDIDATES);

        for (PillowFixtures.Choice c : PillowFixtures.choices()) {
            assertThat(DynamicTiling.choose(c.width(), c.height(), reversedWithinCounts)).isEqualTo(c.grid());
        }
        Trials.forAll(20_000, DynamicTilingTest::randomSize, s -> assertThat(
                DynamicTiling.choose(s[0], s[1], reversedWithinCounts)).isEqualTo(DynamicTiling.choose(s[0], s[1])));
    }

    /** Tiles are the grid resize cut row-major, then the original resized to one tile. */
    @Test
    void tilesAreTheGridResizeCutRowMajorThenTheThumbnail() {
        Trials.forAll(12, random -> {
            int width = 1 + random.nextInt(random.nextBoolean() ? 8 : 900);
            int height = 1 + random.nextInt(random.nextBoolean() ? 8 : 900);
            return new DecodedImage(width, height, PillowBicubicResizeTest.pixels(width, height, random), "test");
        }, image -> {
            TiledImage tiled = DynamicTiling.tile(image);
            TileGrid grid = DynamicTiling.choose(image.width(), image.height());

            assertThat(tiled.grid()).isEqualTo(grid);
            byte[] resized = PillowBicubicResize.resize(image.width(), image.height(), image.rgb(),
                    grid.resizedWidth(), grid.resizedHeight());
            for (int k = 0; k < grid.gridTiles(); k++) {
                assertThat(tiled.tile(k)).as("tile %d", k).isEqualTo(
                        crop(resized, grid.resizedWidth(), (k % grid.across()) * 448, (k / grid.across()) * 448));
            }
            if (grid.hasThumbnail()) {
                assertThat(tiled.tile(grid.gridTiles())).as("thumbnail").isEqualTo(
                        PillowBicubicResize.resize(image.width(), image.height(), image.rgb(), 448, 448));
            }
        });
    }

    @Test
    void aOnePixelImageIsOneFlatTile() {
        TiledImage tiled = DynamicTiling.tile(new DecodedImage(1, 1, new byte[] {10, (byte) 200, 77}, "test"));

        assertThat(tiled.count()).isEqualTo(1);
        for (int i = 0; i < tiled.rgb().length; i += 3) {
            assertThat(new byte[] {tiled.rgb()[i], tiled.rgb()[i + 1], tiled.rgb()[i + 2]})
                    .containsExactly(10, (byte) 200, 77);
        }
    }

    @Test
    void refusesEmptySizesAndTilesOutOfRange() {
        assertThatThrownBy(() -> DynamicTiling.choose(0, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TileGrid(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TiledImage(new TileGrid(2, 1), new byte[TiledImage.TILE_BYTES * 2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 tiles");
        TiledImage one = DynamicTiling.tile(new DecodedImage(2, 2, new byte[12], "test"));
        assertThatThrownBy(() -> one.tile(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /**
     * The official rule restated: among the candidates nearest in ratio, the last one in order
     * whose grid has fewer than twice the image's pixels, else the first nearest.
     */
    private static TileGrid restated(int width, int height) {
        double aspect = (double) width / height;
        double nearest = DynamicTiling.CANDIDATES.stream()
                .mapToDouble(g -> Math.abs(aspect - (double) g.across() / g.down())).min().orElseThrow();
        List<TileGrid> tied = DynamicTiling.CANDIDATES.stream()
                .filter(g -> Math.abs(aspect - (double) g.across() / g.down()) == nearest).toList();
        TileGrid chosen = tied.get(0);
        for (TileGrid g : tied.subList(1, tied.size())) {
            if ((double) width * height > 0.5 * 448 * 448 * g.across() * g.down()) {
                chosen = g;
            }
        }
        return chosen;
    }

    /** Uniform sizes, tiny ones, and sizes at or next to a ratio midway between two grids. */
    private static int[] randomSize(SplittableRandom random) {
        switch (random.nextInt(3)) {
            case 0 -> {
                return new int[] {1 + random.nextInt(5000), 1 + random.nextInt(5000)};
            }
            case 1 -> {
                return new int[] {1 + random.nextInt(30), 1 + random.nextInt(30)};
            }
            default -> {
                TileGrid a = DynamicTiling.CANDIDATES.get(random.nextInt(DynamicTiling.CANDIDATES.size()));
                TileGrid b = DynamicTiling.CANDIDATES.get(random.nextInt(DynamicTiling.CANDIDATES.size()));
                int p = a.across() * b.down() + b.across() * a.down();   // (a + b) / 2 = p / q
                int q = 2 * a.down() * b.down();
                int k = 1 + random.nextInt(400);
                return new int[] {Math.max(1, k * p + random.nextInt(3) - 1), k * q};
            }
        }
    }

    private static byte[] crop(byte[] rgb, int width, int left, int top) {
        byte[] out = new byte[TiledImage.TILE_BYTES];
        for (int y = 0; y < 448; y++) {
            System.arraycopy(rgb, 3 * ((top + y) * width + left), out, 3 * 448 * y, 3 * 448);
        }
        return out;
    }
}
