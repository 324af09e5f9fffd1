package io.trolserve.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.trolserve.model.ImagePolicy;
import io.trolserve.text.PromptFormat;
import io.trolserve.text.TrolTokenizer;

class BenchWorkloadTest {

    private static final Path PHI3_CHECKPOINT = Path.of("src/test/resources/reference/phi3-trol");

    @Test
    void imageSizesParseAsWidthByHeightAndRefuseAnythingElse() {
        assertThat(BenchWorkload.ImageSize.parse(" 1000X300 ")).isEqualTo(new BenchWorkload.ImageSize(1000, 300));
        for (String bad : new String[] {"", "1000", "1000x", "x300", "axb", "1000x300x2", "0x5", "-3x4", "9000x9000"}) {
            assertThatThrownBy(() -> BenchWorkload.ImageSize.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image size");
        }
    }

    /** TroL-3.8B's requests get their own image's tile count; TroL-1.8B/7B's all get the square's. */
    @Test
    void eachRequestCarriesItsDrawnSizesTokens() {
        List<BenchWorkload.ImageSize> sizes = List.of(new BenchWorkload.ImageSize(448, 448),
                new BenchWorkload.ImageSize(1000, 300), new BenchWorkload.ImageSize(500, 300));
        try (TrolTokenizer tokenizer = TrolTokenizer.load(PHI3_CHECKPOINT)) {
            BenchWorkload tiled = BenchWorkload.generate(tokenizer, PromptFormat.PHI3_CHAT, new ImagePolicy.Tiled(256),
                    sizes, 30, 2.0, 4, 8, 7);
            assertThat(tiled.items()).extracting(BenchWorkload.Item::imageTokens).containsOnly(256, 4 * 256, 7 * 256)
                    .contains(256, 4 * 256, 7 * 256);
            for (BenchWorkload.Item item : tiled.items()) {
                assertThat(item.request().images()).singleElement().satisfies(image -> {
                    assertThat(image.isTiled()).as("tiled as the intake does it").isTrue();
                    assertThat(new ImagePolicy.Tiled(256).tokens(image)).isEqualTo(item.imageTokens());
                });
            }
            BenchWorkload square = BenchWorkload.generate(tokenizer, PromptFormat.PHI3_CHAT, new ImagePolicy.Square(56, 16),
                    sizes, 30, 2.0, 4, 8, 7);
            assertThat(square.items()).extracting(BenchWorkload.Item::imageTokens).containsOnly(16);
            assertThat(square.items()).allSatisfy(item -> assertThat(item.request().images().get(0).width()).isEqualTo(56));
        }
    }
}
