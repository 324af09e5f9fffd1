package io.trolserve.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.trolserve.engine.EngineConfig;
import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.messaging.contract.WireFinishReason;
import io.trolserve.model.ImagePolicy;
import io.trolserve.model.TrolModel;
import io.trolserve.service.EngineSettings;
import io.trolserve.service.IntakePolicy;
import io.trolserve.service.LoadedCheckpoint;
import io.trolserve.service.ModelChoice;
import io.trolserve.service.ModelSettings;
import io.trolserve.service.ServingStack;
import io.trolserve.text.AnswerText;
import io.trolserve.text.PromptTemplate;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.vision.DecodeLimits;
import io.trolserve.vision.DecodedImage;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Answers one image-question with the plain (unbatched) path and prints, as its last stdout line,
 * one JSON object: tokenIds (the stop token included), text, promptTokens, finishReason, timings.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Answer one question (about an image) and print the result as JSON.")
public class GenerateCommand implements Callable<Integer> {

    /** Decoding refuses images above this many pixels (decompression bombs). */
    static final long MAX_PIXELS = 64L << 20;

    @Mixin
    CheckpointOptions checkpoint;

    @Option(names = "--image", description = "PNG or JPEG file the question is about")
    Path image;

    @Option(names = "--question", description = "The question (or use --requests)")
    String question;

    @Option(names = "--requests", description = "A JSONL file of trol.requests records, all run through the batching"
            + " engine; one trol.answers line (with tokenIds) per request is printed as it finishes")
    Path requests;

    @Option(names = "--max-new-tokens", defaultValue = "" + SamplingParams.DEFAULT_MAX_NEW_TOKENS, description = "Upper bound on generated tokens (default ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 is greedy (default)")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0")
    double topP;

    @Option(names = "--top-k", defaultValue = "0")
    int topK;

    @Option(names = "--seed", description = "Seed for sampling; same seed, same tokens")
    Long seed;

    @Option(names = "--stop", description = "Stop string (repeatable)")
    List<String> stop = new ArrayList<>();

    @Option(names = "--prefill-chunk", defaultValue = "0", description = "Prompt tokens per prefill step; 0 = whole prompt")
    int prefillChunk;

    @Inject
    ModelSettings settings;

    @Inject
    EngineSettings engineSettings;

    @Override
    public Integer call() throws IOException {
        if ((question == null) == (requests == null)) {
            throw new IllegalArgumentException("give either --question or --requests");
        }
        if (requests != null) {
            return runRequestsFile();
        }
        SamplingParams params = new SamplingParams(maxNewTokens, temperature, topP, topK, seed, stop);
        ModelChoice choice = checkpoint.choice(settings);
        try (LoadedCheckpoint loaded = LoadedCheckpoint.load(choice)) {
            TrolTokenizer tokenizer = loaded.tokenizer();
            TrolModel trol = loaded.model();
            ImagePolicy policy = trol.imagePolicy();
            List<DecodedImage> images = image == null ? List.of() : List.of(readImage(image, policy));
            PromptTemplate.Prompt prompt = trol.promptFormat().encode(tokenizer, question, !images.isEmpty(),
                    images.isEmpty() ? policy.tokensPerTile() : policy.tokens(images.get(0)));
            RequestOutput result = new PlainGenerator(trol, tokenizer, prefillChunk)
                    .generate(EngineRequest.of("generate", prompt.tokenIds(), images, params));
            System.out.println(new ObjectMapper().writeValueAsString(output(tokenizer, result, params)));
        }
        return 0;
    }

    private int runRequestsFile() throws IOException {
        if (!Files.isRegularFile(requests)) {
            throw new IllegalArgumentException("requests file not found: " + requests);
        }
        ModelChoice choice = checkpoint.choice(settings);
        try (ServingStack stack = ServingStack.start(choice, this::engineConfig, IntakePolicy.localTool(MAX_PIXELS))) {
            new RequestsFileRun(stack, choice.modelName(), System.out).run(requests);
        }
        return 0;
    }

    private EngineConfig engineConfig(TrolModel model) {
        EngineConfig config = engineSettings.toConfig(model);
        return prefillChunk > 0 ? config.withPrefill(prefillChunk, config.maxBatchTokens()) : config;
    }

    private static Map<String, Object> output(TrolTokenizer tokenizer, RequestOutput r, SamplingParams params) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tokenIds", r.tokenIds());
        // a fresh decode of the ids, as generate has always printed; the engine answers with the
        // streamed text, which differs only where the generated bytes are not UTF-8
        int[] stopIds = {tokenizer.eosTokenId(), tokenizer.endOfTurnTokenId()};
        out.put("text", AnswerText.of(tokenizer, r.tokenIds(), stopIds, params.stop()));
        out.put("promptTokens", r.promptTokens());
        out.put("imageTokens", r.imageTokens());
        out.put("completionTokens", r.completionTokens());
        out.put("finishReason", WireFinishReason.of(r.finishReason()));
        out.put("timings", CliSupport.timings(r));
        return out;
    }

    /** Decoded straight to the model's input size, as the service does (before the model loads: fails fast). */
    /** Decoded as the serving path decodes it for this model: its square, or its own size for tiling. */
    private static DecodedImage readImage(Path file, ImagePolicy policy) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("image file not found: " + file);
        }
        return policy.decode(bytes, DecodeLimits.standalone(MAX_PIXELS));
    }
}
