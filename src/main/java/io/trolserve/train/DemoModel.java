package io.trolserve.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import io.trolserve.model.TrolConfig;
import io.trolserve.model.VisionConfig;
import io.trolserve.text.PromptTemplate;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.tiny.TinyTokenizerWriter;

/**
 * The shape of the demo TroL that {@code train-tiny} trains and the service ships: TroL-1.8B's
 * architecture (CLIP tower, projector, InternLM2 layers with Plora, traversal) at a size that
 * learns the shapes language in minutes on two cores and fits in a few MB.
 * <pre>
 * image 112 px, patch 14: 8 x 8 = 64 image tokens
 * CLIP   width 64, 3 layers, 4 heads, MLP 256 (a third layer lets every token learn which
 *        colour goes with which kind; two left it at 58 %, BENCHMARKS.md "Fourth round")
 * LM     hidden 128, 3 layers, 4 query / 2 key-value heads, MLP 384, Plora rank 16 (a fourth layer
 *        cost a third more training time and answered no better, BENCHMARKS.md "Fifth round")
 * vocab  512 BPE pieces learned from the shapes language and the prompt template
 * </pre>
 */
public final class DemoModel {

    public static final int IMAGE_SIDE = 112;
    public static final int VOCAB_SIZE = 512;

    private DemoModel() {
    }

    public static TrolConfig config() {
        VisionConfig vision = new VisionConfig(64, 256, 3, 4, 14, IMAGE_SIDE, 1e-5, "quick_gelu");
        return new TrolConfig(VOCAB_SIZE, 128, 384, 3, 4, 2, 1e-5, 10_000, 0, 1024, false, 1, 2, 16, vision);
    }

    /** tokenizer.json in the published format, its pieces learned from what the model will read and say. */
    public static void writeTokenizer(Path dir) throws IOException {
        TinyTokenizerWriter.write(dir.resolve(TrolTokenizer.FILE_NAME), VOCAB_SIZE, corpus());
    }

    /**
     * The picture the README asks about ({@code docs/demo.png}): one yellow star on a plain
     * background, drawn like the training data. One shape, because that is what this model answers
     * most reliably (BENCHMARKS.md: colour, shape and description of one shape always; counting and
     * yes/no mostly; positions not yet).
     */
    public static Scene demoScene() {
        return new Scene(IMAGE_SIDE, false, 0, List.of(new PlacedShape(ShapeKind.STAR, ShapeColour.YELLOW, 56, 56, 56)));
    }

    /** A scene as a PNG, the lossless form the service's decoder reads back to the same pixels. */
    public static void writePng(Scene scene, Path file) throws IOException {
        byte[] rgb = SceneRenderer.render(scene);
        BufferedImage image = new BufferedImage(scene.side(), scene.side(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < scene.side(); y++) {
            for (int x = 0; x < scene.side(); x++) {
                int i = (y * scene.side() + x) * 3;
                image.setRGB(x, y, (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF));
            }
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JVM");
        }
    }

    /** The template's own words, then every sentence form of the data. */
    static String corpus() {
        return PromptTemplate.SYSTEM_PROMPT + "\nsystem\nuser\nassistant\n" + ShapesDataset.corpus();
    }
}
