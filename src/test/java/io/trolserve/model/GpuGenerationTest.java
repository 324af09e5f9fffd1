package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.tiny.TinyCheckpointSpec;
import io.trolserve.torch.Libtorch;
import io.trolserve.vision.DecodedImage;

/**
 * GPU tier: the same code on CUDA. Runs only where libtorch sees a device (a -Pgpu build on a
 * CUDA host); skipped on the CPU-only build.
 */
@Tag("gpu")
@EnabledIf("cudaAvailable")
class GpuGenerationTest {

    static boolean cudaAvailable() {
        Libtorch.ensureLoaded();
        return torch.cuda_is_available();
    }

    @Test
    void cudaFloat32GivesTheCpuTokens() {
        Path dir = TinyCheckpoints.of(TinyCheckpointSpec.tiny());
        RequestOutput cpu = generate(dir, Placement.cpuFloat32(), 0);
        RequestOutput cuda = generate(dir, new Placement("cuda:0", DType.F32), 0);
        RequestOutput chunked = generate(dir, new Placement("cuda:0", DType.F32), 64);
        assertThat(cuda.tokenIds()).containsExactly(cpu.tokenIds());
        assertThat(chunked.tokenIds()).containsExactly(cpu.tokenIds());
        for (int i = 0; i < cpu.logits().size(); i++) {
            assertThat(CachedGenerationMatchesOracleTest.maxAbsDiff(cuda.logits().get(i), cpu.logits().get(i))).isLessThan(1e-3f);
        }
    }

    @Test
    void cudaBfloat16StaysCloseToFloat32() {
        Path dir = TinyCheckpoints.of(TinyCheckpointSpec.tiny());
        RequestOutput f32 = generate(dir, new Placement("cuda:0", DType.F32), 0);
        RequestOutput bf16 = generate(dir, new Placement("cuda:0", DType.BF16), 0);
        assertThat(CachedGenerationMatchesOracleTest.maxAbsDiff(bf16.logits().get(0), f32.logits().get(0))).isLessThan(0.5f);
    }

    private static RequestOutput generate(Path dir, Placement placement, int chunk) {
        try (TrolModel model = TrolModel.load(dir, placement)) {
            Random random = new Random(21);
            List<DecodedImage> images = List.of(TestImages.gradient(300, 200, random));
            int[] prompt = TestPrompts.randomPrompt(random, model, model.imageTokensPerImage());
            return PlainGenerator.withoutTokenizer(model, chunk).generate(
                    EngineRequest.of("gpu", prompt, images, SamplingParams.greedy(16)).capturingLogits());
        }
    }
}
