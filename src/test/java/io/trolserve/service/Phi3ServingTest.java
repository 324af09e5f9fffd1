package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import javax.imageio.ImageIO;

import org.bytedeco.pytorch.InferenceMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trolserve.engine.EngineConfig;
import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.model.Placement;
import io.trolserve.model.TrolModel;
import io.trolserve.text.PromptFormat;
import io.trolserve.text.PromptTemplate;
import io.trolserve.text.TokenizerException;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.tiny.Phi3CheckpointSpec;
import io.trolserve.tiny.TinyCheckpointFiles;
import io.trolserve.vision.DecodedImage;
import io.trolserve.vision.ImageDecoder;

/**
 * A TroL-3.8B-layout checkpoint served end to end on text: the plain path that {@code generate
 * --question} runs and the serving stack (parser, preparation, engine) give the same answer; an
 * image question is a dead letter with its own code; a tokenizer without {@code <IMG_CONTEXT>}
 * is refused at load.
 */
class Phi3ServingTest {

    private static final String QUESTION = "What is in the picture?";

    @TempDir
    Path dir;

    private ModelChoice checkpoint() throws IOException {
        TinyCheckpointFiles.writePhi3(dir, Phi3CheckpointSpec.tiny());
        return new ModelChoice(dir, Placement.cpuFloat32(), 1);
    }

    @Test
    void aTextQuestionGetsThePlainPathsAnswerThroughTheStack() throws Exception {
        ModelChoice choice = checkpoint();
        RequestOutput plain;
        try (InferenceMode guard = new InferenceMode(); LoadedCheckpoint loaded = LoadedCheckpoint.load(choice)) {
            TrolModel model = loaded.model();
            assertThat(model.promptFormat()).isEqualTo(PromptFormat.PHI3_CHAT);
            // what GenerateCommand does for --question
            PromptTemplate.Prompt prompt = model.promptFormat().encode(loaded.tokenizer(), QUESTION, false,
                    model.imageTokensPerImage());
            plain = new PlainGenerator(model, loaded.tokenizer(), 0)
                    .generate(EngineRequest.of("generate", prompt.tokenIds(), List.of(), SamplingParams.greedy(8)));
        }
        assertThat(plain.error()).isNull();
        assertThat(plain.tokenIds()).isNotEmpty();

        try (ServingStack stack = ServingStack.start(choice, model -> EngineConfig.defaults(64),
                IntakePolicy.localTool(1L << 20))) {
            RequestOutput served = StackRequests.answer(stack,
                    "{\"id\":\"q-1\",\"question\":\"" + QUESTION + "\",\"params\":{\"maxNewTokens\":8}}");
            assertThat(served.error()).isNull();
            assertThat(served.tokenIds()).containsExactly(plain.tokenIds());
            assertThat(served.text()).isEqualTo(plain.text());
        }
    }

    /**
     * A 1000x300 image (4 tiles): the intake decodes it at its own size, expands its
     * {@code <IMG_CONTEXT>} to 4 x 256 tokens, and the engine answers as the plain path does.
     */
    @Test
    void anImageQuestionIsServedAtItsOwnSizeAndGetsThePlainPathsAnswer() throws Exception {
        ModelChoice choice = checkpoint();
        BufferedImage picture = new BufferedImage(1000, 300, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(4);
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 1000; x++) {
                picture.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(picture, "png", png);
        RequestOutput plain;
        int imageId;
        try (InferenceMode guard = new InferenceMode(); LoadedCheckpoint loaded = LoadedCheckpoint.load(choice)) {
            TrolModel model = loaded.model();
            imageId = model.imageTokenId();
            // what GenerateCommand does for --question --image
            DecodedImage image = ImageDecoder.decode(png.toByteArray(), 1L << 20);
            PromptTemplate.Prompt prompt = model.promptFormat().encode(loaded.tokenizer(), QUESTION, true,
                    model.imagePolicy().tokens(image));
            plain = new PlainGenerator(model, loaded.tokenizer(), 0)
                    .generate(EngineRequest.of("generate", prompt.tokenIds(), List.of(image), SamplingParams.greedy(8)));
        }
        assertThat(plain.error()).isNull();

        String record = "{\"id\":\"q-2\",\"question\":\"" + QUESTION + "\",\"params\":{\"maxNewTokens\":8},"
                + "\"image\":{\"data\":\"" + Base64.getEncoder().encodeToString(png.toByteArray())
                + "\",\"mediaType\":\"image/png\"}}";
        try (ServingStack stack = ServingStack.start(choice, model -> EngineConfig.defaults(512),
                IntakePolicy.localTool(1L << 20))) {
            EngineRequest prepared = StackRequests.prepared(stack, record);
            assertThat(prepared.images()).singleElement()
                    .satisfies(i -> assertThat(new int[] {i.width(), i.height()}).containsExactly(1000, 300));
            assertThat(Arrays.stream(prepared.promptIds()).filter(id -> id == imageId).count()).isEqualTo(1024);

            RequestOutput served = StackRequests.run(stack, prepared, 120);
            assertThat(served.error()).isNull();
            assertThat(served.tokenIds()).containsExactly(plain.tokenIds());
            assertThat(served.text()).isEqualTo(plain.text());
        }
    }

    @Test
    void aTokenizerWithoutImageContextIsRefusedAtLoad() throws IOException {
        ModelChoice choice = checkpoint();
        Path file = dir.resolve(TrolTokenizer.FILE_NAME);
        Files.writeString(file, Files.readString(file).replace("<IMG_CONTEXT>", "<IMG_CONTEXTX>"));
        assertThatThrownBy(() -> LoadedCheckpoint.load(choice).close())
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("<IMG_CONTEXT>");
    }
}
