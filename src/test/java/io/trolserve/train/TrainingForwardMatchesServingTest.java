package io.trolserve.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.model.Placement;
import io.trolserve.model.TrolModel;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.torch.Libtorch;
import io.trolserve.vision.DecodedImage;
import io.trolserve.vision.ImageDecoder;

/**
 * What training computes is what serving computes: the teacher-forced logits of {@link AnswerLoss}
 * (the system turn once, a picture asked about several times once, the rest of each prompt
 * traversed, one untraversed call over the answers) equal, row for row,
 * the logits the plain generator produces token by token from the checkpoint {@code train-tiny}
 * writes, read back by the service's loader. A few optimizer steps first make every part count
 * (the Plora adapters start at zero, the gate at one half).
 */
class TrainingForwardMatchesServingTest {

    @TempDir
    Path dir;

    @Test
    void teacherForcedLogitsEqualTheServedOnes() throws Exception {
        Libtorch.prepareComputeThread();
        DemoModel.writeTokenizer(dir);
        try (TrolTokenizer tokenizer = TrolTokenizer.load(dir);
             TrainableTrol net = new TrainableTrol(DemoModel.config(), 5)) {
            ShapesDataset data = new ShapesDataset(DemoModel.IMAGE_SIDE, 5);
            Trainer.train(net, tokenizer, () -> data.nextGroup(3), new Trainer.Settings(3, 4, 1e-2, 0), p -> { });
            net.save(dir, DType.F32, "test");
            try (Tensor loraB = net.parameter("model.layers.0.attention.wqkv.lora_B.weight").abs().max()) {
                assertThat(loraB.item_float()).as("a trained adapter").isPositive();
            }

            // three questions on pictures of their own, then three about one picture, which the
            // training forward reads once and continues from
            List<Example> examples = new ArrayList<>(List.of(data.next(QuestionKind.TEXT_ONLY),
                    data.next(QuestionKind.COUNT), data.next(QuestionKind.POSITION)));
            List<Example> group = data.nextGroup(4);
            while (group.size() < 3) {
                group = data.nextGroup(4);
            }
            examples.addAll(group.subList(0, 3));
            List<AnswerLoss.Encoded> encodedAll = AnswerLoss.encode(net.config(), tokenizer, examples);
            assertThat(encodedAll.get(3).picture()).isSameAs(encodedAll.get(5).picture());
            List<AnswerLoss.Encoded> batch = new ArrayList<>();
            List<RequestOutput> served = new ArrayList<>();
            try (TrolModel model = TrolModel.load(dir, Placement.cpuFloat32())) {
                for (int i = 0; i < examples.size(); i++) {
                    Example e = examples.get(i);
                    AnswerLoss.Encoded encoded = encodedAll.get(i);
                    List<DecodedImage> images = encoded.imageRgb() == null ? List.of()
                            : List.of(new DecodedImage(encoded.imageSide(), encoded.imageSide(), encoded.imageRgb(),
                                    ImageDecoder.contentHash(encoded.imageRgb())));
                    RequestOutput out = PlainGenerator.withoutTokenizer(model, 0).generate(EngineRequest.of(e.kind().name(),
                            encoded.prompt(), images, SamplingParams.greedy(5)).capturingLogits());
                    served.add(out);
                    // the served tokens, fed back as the answer: the last one has no row of its own
                    batch.add(new AnswerLoss.Encoded(encoded.prompt(), Arrays.copyOf(out.tokenIds(), 4),
                            encoded.picture()));
                }
            }

            try (PointerScope scope = new PointerScope()) {
                TrolModel trained = net.model();
                Tensor logits = AnswerLoss.logits(trained, batch, scope).detach();       // (6 + 24, V)
                int row = batch.size();
                for (int i = 0; i < batch.size(); i++) {
                    assertClose(row(logits, i), served.get(i).logits().get(0), examples.get(i) + " first token");
                    for (int j = 1; j <= 4; j++) {
                        assertClose(row(logits, row++), served.get(i).logits().get(j), examples.get(i) + " token " + j);
                    }
                }
                trained.close();
            }
        }
    }

    private static float[] row(Tensor logits, int i) {
        try (Tensor r = logits.select(0, i).contiguous()) {
            float[] out = new float[Math.toIntExact(r.numel())];
            r.data_ptr_float().get(out);
            return out;
        }
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        float worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).as("%s: max |logit difference|", what).isLessThanOrEqualTo(1e-4f);
    }
}
