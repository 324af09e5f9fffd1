package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trolserve.engine.EngineConfig;
import io.trolserve.engine.RequestOutput;
import io.trolserve.model.Placement;
import io.trolserve.model.TinyCheckpoints;
import io.trolserve.model.TrolConfig;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.text.TokenizerException;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.tiny.TinyCheckpointSpec;
import io.trolserve.tiny.TinyCheckpointWriter;
import io.trolserve.tiny.TinyTokenizerWriter;

/**
 * The one assembly of the serving stack: a request record goes through its parser, preparation
 * and engine to an answer; a tokenizer that does not fit the weights is refused before an engine
 * starts; shutting down stops the engine and may be repeated; settings and a command's options
 * choose the checkpoint and where it runs.
 */
class ServingStackTest {

    @TempDir
    Path scratch;

    @Test
    void aRequestRecordIsParsedPreparedAndAnswered() throws Exception {
        ModelChoice micro = new ModelChoice(TinyCheckpoints.of(TinyCheckpointSpec.micro()), Placement.cpuFloat32(), 1);
        ServingStack stack = ServingStack.start(micro, model -> EngineConfig.defaults(64), IntakePolicy.localTool(1L << 20));
        RequestOutput output;
        try {
            output = StackRequests.answer(stack, "{\"id\":\"q-1\",\"question\":\"What is here?\",\"params\":{\"maxNewTokens\":3}}");
        } finally {
            stack.close();
        }
        assertThat(output.requestId()).isEqualTo("q-1");
        assertThat(output.error()).isNull();
        assertThat(output.promptTokens()).isPositive();
        assertThat(output.tokenIds().length).isBetween(1, 3);
        assertThat(stack.engine().isAlive()).as("closing stops the engine thread").isFalse();
        stack.close(); // a second close must not free the weights again
    }

    @Test
    void aTokenizerFromAnotherCheckpointIsRefusedBeforeAnEngineStarts() throws IOException {
        Path dir = scratch.resolve("mismatched");
        TrolConfig config = TinyCheckpointWriter.write(dir, TinyCheckpointSpec.micro());
        TinyTokenizerWriter.write(dir.resolve(TrolTokenizer.FILE_NAME), config.vocabSize() + 8);

        assertThatThrownBy(() -> ServingStack.start(new ModelChoice(dir, Placement.cpuFloat32(), 1),
                model -> EngineConfig.defaults(64), IntakePolicy.localTool(1L << 20)))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("vocab_size is " + config.vocabSize());
    }

    @Test
    void optionsOverrideTheSettingsAndTheDirectoryNamesTheModel() {
        Path configured = scratch.resolve("TroL-1.8B");
        ModelSettings settings = settings(configured, "cpu", "float32", 3);

        ModelChoice fromSettings = ModelChoice.of(settings);
        assertThat(fromSettings).isEqualTo(new ModelChoice(configured, new Placement("cpu", DType.F32), 3));
        assertThat(fromSettings.modelName()).isEqualTo("TroL-1.8B");

        Path given = scratch.resolve("other").resolve(".");
        ModelChoice overridden = ModelChoice.of(settings, given, null, "bfloat16");
        assertThat(overridden.dir()).isEqualTo(given);
        assertThat(overridden.placement()).isEqualTo(new Placement("cpu", DType.BF16));
        assertThat(overridden.modelName()).isEqualTo("other");
    }

    private static ModelSettings settings(Path path, String device, String dtype, int blasThreads) {
        ModelSettings.Model model = new ModelSettings.Model() {
            @Override
            public Optional<Path> path() {
                return Optional.of(path);
            }

            @Override
            public Path demoDir() {
                throw new AssertionError("a configured path needs no demo checkpoint");
            }
        };
        return new ModelSettings() {
            @Override
            public Model model() {
                return model;
            }

            @Override
            public int blasThreads() {
                return blasThreads;
            }

            @Override
            public String device() {
                return device;
            }

            @Override
            public String dtype() {
                return dtype;
            }
        };
    }
}
