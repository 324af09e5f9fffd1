package io.trolserve.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trolserve.engine.EngineRequest;
import io.trolserve.messaging.contract.RequestLimits;
import io.trolserve.messaging.contract.RequestParser;
import io.trolserve.messaging.contract.TrolRequest;
import io.trolserve.model.ImagePolicy;
import io.trolserve.text.PromptFormat;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.tiny.Phi3CheckpointSpec;
import io.trolserve.tiny.TinyCheckpointFiles;
import io.trolserve.vision.DecodeLimits;
import io.trolserve.vision.DecodedImage;
import io.trolserve.vision.DynamicTiling;
import io.trolserve.vision.ImageFetcher;
import io.trolserve.vision.TiledImage;

/**
 * The intake asks the model's {@link ImagePolicy} how to decode an image and how long its run of
 * image tokens is: TroL-3.8B's image keeps its own size and gives 256 tokens per tile of its
 * tiling; a square model's image is decoded to its square and gives its constant count.
 */
class RequestPreparationTest {

    @TempDir
    static Path dir;

    private static TrolTokenizer tokenizer;

    @BeforeAll
    static void setUp() throws IOException {
        TinyCheckpointFiles.writePhi3(dir, Phi3CheckpointSpec.tiny());
        tokenizer = TrolTokenizer.load(dir);
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
    }

    private static RequestPreparation preparation(ImagePolicy policy, long maxPixels) {
        return new RequestPreparation(tokenizer, PromptFormat.PHI3_CHAT, policy,
                new ImageFetcher(ImageFetcher.Policy.localTool(1 << 24)), DecodeLimits.standalone(maxPixels));
    }

    private static EngineRequest prepared(RequestPreparation preparation, byte[] png) throws Exception {
        RequestPreparation.Outcome outcome = preparation.prepare(request(png));
        assertThat(outcome).isInstanceOf(RequestPreparation.Prepared.class);
        return ((RequestPreparation.Prepared) outcome).request();
    }

    private static TrolRequest request(byte[] png) throws Exception {
        String record = "{\"id\":\"q\",\"question\":\"What is this?\",\"image\":{\"data\":\""
                + Base64.getEncoder().encodeToString(png) + "\",\"mediaType\":\"image/png\"}}";
        return new RequestParser(RequestLimits.DEFAULTS).parse(record.getBytes(StandardCharsets.UTF_8), null);
    }

    private static byte[] png(int width, int height, long seed) throws IOException {
        BufferedImage picture = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                picture.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(picture, "png", out);
        return out.toByteArray();
    }

    private static long imageTokens(EngineRequest r) {
        return Arrays.stream(r.promptIds()).filter(id -> id == tokenizer.imageTokenId()).count();
    }

    @Test
    void aTiledModelsImageKeepsItsSizeAndGives256TokensPerTile() throws Exception {
        RequestPreparation tiled = preparation(new ImagePolicy.Tiled(256), 1 << 20);
        int[][] sizes = {{1, 1, 1}, {1000, 300, 4}, {500, 300, 7}};
        for (int[] size : sizes) {
            EngineRequest r = prepared(tiled, png(size[0], size[1], size[0]));
            DecodedImage image = r.images().get(0);
            assertThat(new int[] {image.width(), image.height()}).as("decoded size").containsExactly(size[0], size[1]);
            assertThat(imageTokens(r)).as("%dx%d", size[0], size[1]).isEqualTo(256L * size[2]);
        }
    }

    /** What waits in the queue is the tiles, never the upload's full size; the engine thread does not tile. */
    @Test
    void aTiledModelsImageIsKeptAsItsTilesOnly() throws Exception {
        RequestPreparation tiled = preparation(new ImagePolicy.Tiled(256), 1 << 22);
        EngineRequest r = prepared(tiled, png(2000, 1500, 5));
        DecodedImage image = r.images().get(0);
        assertThat(image.isTiled()).isTrue();
        assertThat(image.tiles()).isEqualTo(DynamicTiling.choose(2000, 1500));
        assertThat(image.rgb()).hasSize(image.tiles().imageCount() * TiledImage.TILE_BYTES);
        assertThat(image.rgb().length).isLessThan(2000 * 1500 * 3);
    }

    @Test
    void theSameBytesGiveTheSameContentHashAndOtherBytesAnother() throws Exception {
        RequestPreparation tiled = preparation(new ImagePolicy.Tiled(256), 1 << 20);
        byte[] a = png(500, 300, 1);
        String first = prepared(tiled, a).images().get(0).contentHash();
        assertThat(prepared(tiled, a.clone()).images().get(0).contentHash()).isEqualTo(first);
        assertThat(prepared(tiled, png(500, 300, 2)).images().get(0).contentHash()).isNotEqualTo(first);
    }

    @Test
    void aSquareModelsImageIsDecodedToItsSquareWithItsConstantCount() throws Exception {
        EngineRequest r = prepared(preparation(new ImagePolicy.Square(56, 64), 1 << 20), png(1000, 300, 3));
        DecodedImage image = r.images().get(0);
        assertThat(new int[] {image.width(), image.height()}).containsExactly(56, 56);
        assertThat(imageTokens(r)).isEqualTo(64);
    }

    @Test
    void anImageOverThePixelCapIsRefusedBeforeItIsDecoded() throws Exception {
        RequestPreparation.Outcome outcome = preparation(new ImagePolicy.Tiled(256), 100_000)
                .prepare(request(png(1000, 300, 4)));
        assertThat(outcome).isInstanceOfSatisfying(RequestPreparation.Rejected.class,
                rejected -> assertThat(rejected.code()).isEqualTo("too-many-pixels"));
    }

    @Test
    void aTextQuestionHasNoImageTokens() throws Exception {
        String record = "{\"id\":\"t\",\"question\":\"Hello?\"}";
        RequestPreparation.Outcome outcome = preparation(new ImagePolicy.Tiled(256), 1 << 20)
                .prepare(new RequestParser(RequestLimits.DEFAULTS).parse(record.getBytes(StandardCharsets.UTF_8), null));
        EngineRequest r = ((RequestPreparation.Prepared) outcome).request();
        assertThat(r.images()).isEmpty();
        assertThat(imageTokens(r)).isZero();
    }
}
