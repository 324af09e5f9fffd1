package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.tiny.TinyCheckpointSpec;
import io.trolserve.torch.Libtorch;
import io.trolserve.vision.DecodedImage;

/** Plora adds its low-rank delta to image tokens and to nothing else (TROL_SPEC §4). */
class PloraTest {

    @Test
    void deltaLandsOnImageRowsOnly() {
        Libtorch.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            Tensor x = torch.randn(5, 6);                                            // (R=5, in=6)
            PloraWeights w = new PloraWeights(torch.randn(4, 6), torch.randn(4), torch.randn(3, 6), torch.randn(4, 3));
            Tensor imageRows = AbstractTensor.create(1L, 3L);
            Tensor out = Plora.apply(w, x, imageRows);
            Tensor base = x.matmul(w.weight().t()).add(w.bias());
            Tensor withDelta = base.add(x.matmul(w.loraA().t()).matmul(w.loraB().t()));
            for (int row = 0; row < 5; row++) {
                Tensor expected = (row == 1 || row == 3 ? withDelta : base).select(0, row);
                assertThat(out.select(0, row).sub(expected).abs().max().item_float()).as("row %d", row).isLessThan(1e-5f);
            }
            assertThat(out.select(0, 0).equal(base.select(0, 0))).as("text rows are exactly ffn(x)").isTrue();
        }
    }

    @Test
    void loraWeightsChangeImageAnswersButNeverTextOnlyOnes() throws Exception {
        Path dir = TinyCheckpoints.of(TinyCheckpointSpec.micro());
        Random random = new Random(8);
        int[] textPrompt;
        int[] imagePrompt;
        List<DecodedImage> image = List.of(TestImages.gradient(20, 20, random));
        try (TrolModel model = TrolModel.load(dir, Placement.cpuFloat32())) {
            textPrompt = TestPrompts.randomPrompt(random, model, 0);
            imagePrompt = TestPrompts.randomPrompt(random, model, model.imageTokensPerImage());
        }
        float[] textBefore = firstLogits(dir, textPrompt, List.of(), false);
        float[] textAfter = firstLogits(dir, textPrompt, List.of(), true);
        float[] imageBefore = firstLogits(dir, imagePrompt, image, false);
        float[] imageAfter = firstLogits(dir, imagePrompt, image, true);
        assertThat(textAfter).containsExactly(textBefore);
        assertThat(CachedGenerationMatchesOracleTest.maxAbsDiff(imageBefore, imageAfter)).isGreaterThan(1e-3f);
    }

    /** First-token logits, optionally with every lora_B zeroed (the adapters switched off). */
    private static float[] firstLogits(Path dir, int[] prompt, List<DecodedImage> images, boolean zeroLora) {
        try (InternLm2Trol model = InternLm2Trol.load(dir, Placement.cpuFloat32())) {
            if (zeroLora) {
                for (DecoderLayerWeights l : model.weights().layers()) {
                    for (PloraWeights p : List.of(l.wqkv(), l.wo(), l.w1(), l.w2(), l.w3())) {
                        p.loraB().zero_();
                    }
                }
            }
            RequestOutput r = PlainGenerator.withoutTokenizer(model, 0).generate(
                    EngineRequest.of("first", prompt, images, SamplingParams.greedy(1)).capturingLogits());
            return r.logits().get(0);
        }
    }
}
