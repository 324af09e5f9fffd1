package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import io.trolserve.engine.GenerationResult;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.SamplingParams;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.tiny.TinyCheckpointSpec;

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
        GenerationResult cpu = generate(dir, Placement.cpuFloat32(), 0);
        GenerationResult cuda = generate(dir, new Placement("cuda:0", DType.F32), 0);
        GenerationResult chunked = generate(dir, new Placement("cuda:0", DType.F32), 64);
        assertThat(cuda.tokenIds()).containsExactly(cpu.tokenIds());
        assertThat(chunked.tokenIds()).containsExactly(cpu.tokenIds());
        for (int i = 0; i < cpu.logits().size(); i++) {
            assertThat(CachedGenerationMatchesOracleTest.maxAbsDiff(cuda.logits().get(i), cpu.logits().get(i))).isLessThan(1e-3f);
        }
    }

    @Test
    void cudaBfloat16StaysCloseToFloat32() {
        Path dir = TinyCheckpoints.of(TinyCheckpointSpec.tiny());
        GenerationResult f32 = generate(dir, new Placement("cuda:0", DType.F32), 0);
        GenerationResult bf16 = generate(dir, new Placement("cuda:0", DType.BF16), 0);
        assertThat(CachedGenerationMatchesOracleTest.maxAbsDiff(bf16.logits().get(0), f32.logits().get(0))).isLessThan(0.5f);
    }

    private static GenerationResult generate(Path dir, Placement placement, int chunk) {
        try (TrolModel model = TrolModel.load(dir, placement)) {
            Random random = new Random(21);
            List<PlainGenerator.RgbImage> images = List.of(TestImages.gradient(300, 200, random));
            int[] prompt = TestPrompts.randomPrompt(random, model.config(), model.imageTokensPerImage());
            return new PlainGenerator(model).generate(new PlainGenerator.Request(prompt, images,
                    SamplingParams.greedy(16), new int[0], chunk, true), (i, t) -> true);
        }
    }
}
