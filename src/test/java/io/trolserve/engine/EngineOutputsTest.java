package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import org.bytedeco.pytorch.InferenceMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.trolserve.model.TinyCheckpoints;
import io.trolserve.model.LanguageConfig;
import io.trolserve.tiny.TinyCheckpointSpec;
import io.trolserve.vision.DecodedImage;

/**
 * What a request gets back besides its tokens: stop strings honoured (by the engine and its plain
 * oracle alike), shared images encoded once.
 */
class EngineOutputsTest {

    private static EngineHarness harness;

    @BeforeAll
    static void setUp() {
        harness = new EngineHarness(TinyCheckpoints.of(TinyCheckpointSpec.micro()));
    }

    @AfterAll
    static void tearDown() {
        harness.close();
    }

    @Test
    void theSameImageIsEncodedOnce() {
        LanguageConfig c = harness.model.config();
        Random random = new Random(2);
        DecodedImage shared = EngineHarness.image(30, 30, 5);
        List<EngineHarness.Arrival> arrivals = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            int[] prompt = EngineHarness.prompt(harness.model, new int[] {c.bosTokenId()}, 1, harness.model.imageTokensPerImage(),
                    4 + k, random);
            arrivals.add(new EngineHarness.Arrival(k == 2 ? 6 : 0,
                    EngineRequest.of("same-image-" + k, prompt, List.of(shared), SamplingParams.greedy(4))));
        }
        AtomicReference<EngineHarness.RunFacts> facts = new AtomicReference<>();
        Map<String, RequestOutput> outputs = harness.runEngine(EngineConfig.defaults(256), arrivals, facts::set);
        assertThat(outputs).hasSize(3);
        assertThat(facts.get().stats().imagesEncoded()).isEqualTo(1);
        assertThat(facts.get().stats().visionCacheHits()).isEqualTo(1);
        assertThat(outputs.get("same-image-2").timings().visionMs()).isZero();
    }

    @Test
    void aStopStringEndsTheAnswerAndIsCutFromIt() {
        LanguageConfig c = harness.model.config();
        int[] prompt = EngineHarness.prompt(harness.model, new int[] {c.bosTokenId()}, 0, 0, 12, new Random(4));
        List<TokenOutput> streamed = stream(EngineRequest.of("free", prompt, List.of(),
                SamplingParams.greedy(12).ignoringEos()));
        StringBuilder text = new StringBuilder();
        int n = 0;
        while (n < streamed.size() && (n < 2 || text.toString().isBlank())) {
            text.append(streamed.get(n++).text());
        }
        String stop = text.toString();

        List<TokenOutput> stopped = new ArrayList<>();
        EngineRequest stoppedRequest = new EngineRequest("stopped", prompt, List.of(),
                new SamplingParams(12, 0.0, 1.0, 0, null, List.of(stop), true), null, false);
        RequestOutput out = run(stoppedRequest, stopped);
        assertThat(out.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(out.tokenIds()).hasSize(n);
        assertThat(out.text()).doesNotContain(stop.strip());
        assertThat(stopped.get(stopped.size() - 1).last()).isTrue();

        // the plain path, the engine's oracle, ends and streams the request the same way
        List<TokenOutput> alone = new ArrayList<>();
        RequestOutput plain = new PlainGenerator(harness.model, harness.tokenizer, 0)
                .generate(stoppedRequest, collecting(alone, new AtomicReference<>()));
        assertThat(plain.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(plain.tokenIds()).containsExactly(out.tokenIds());
        assertThat(plain.text()).isEqualTo(out.text());
        assertThat(alone).extracting(TokenOutput::text).containsExactlyElementsOf(
                stopped.stream().map(TokenOutput::text).toList());
        assertThat(alone).extracting(TokenOutput::last).containsExactlyElementsOf(
                stopped.stream().map(TokenOutput::last).toList());
    }

    private static List<TokenOutput> stream(EngineRequest request) {
        List<TokenOutput> tokens = new ArrayList<>();
        run(request, tokens);
        return tokens;
    }

    private static RequestOutput run(EngineRequest request, List<TokenOutput> tokens) {
        AtomicReference<RequestOutput> result = new AtomicReference<>();
        try (InferenceMode guard = new InferenceMode();
             EngineCore core = new EngineCore(harness.model, harness.tokenizer, EngineConfig.defaults(64))) {
            core.submit(request, collecting(tokens, result));
            while (core.hasWork()) {
                core.step();
            }
        }
        return result.get();
    }

    private static RequestListener collecting(List<TokenOutput> tokens, AtomicReference<RequestOutput> result) {
        return new RequestListener() {
            @Override
            public void onToken(TokenOutput token) {
                tokens.add(token);
            }

            @Override
            public void onFinish(RequestOutput output) {
                result.set(output);
            }
        };
    }
}
