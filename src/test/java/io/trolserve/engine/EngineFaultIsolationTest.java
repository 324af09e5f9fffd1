package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.trolserve.model.TinyCheckpoints;
import io.trolserve.model.LanguageConfig;
import io.trolserve.tiny.TinyCheckpointSpec;
import io.trolserve.vision.DecodedImage;

/**
 * One request's failure stays its own: a request that makes the model step fail (injected through
 * the forward seam) or whose listener throws ends with ERROR, and every other request of its
 * batches gets exactly the tokens it gets alone on the plain path.
 */
class EngineFaultIsolationTest {

    private static final EngineConfig CONFIG = EngineConfig.defaults(512).withKv(4, 512, true).withPrefill(7, 64);

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
    void aRequestThatFailsTheForwardEndsAloneAndTheOthersGetTheirTokens() {
        // req-2 fails in its prompt, req-5 once it has generated two tokens; both share batches with the rest
        Set<String> poisoned = Set.of("req-2", "req-5");
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger failedWithOthers = new AtomicInteger();
        StepForward.Fault fault = plan -> {
            attempts.incrementAndGet();
            for (StepPlan.Chunk c : plan.chunks()) {
                Request r = c.request();
                boolean fails = r.id().equals("req-2") || r.id().equals("req-5") && r.numOutputs() >= 2;
                if (fails) {
                    failedWithOthers.addAndGet(plan.chunks().size() > 1 ? 1 : 0);
                    throw new IllegalStateException("injected fault for " + r.id());
                }
            }
        };
        List<EngineHarness.Arrival> arrivals = arrivals(9);
        AtomicReference<EngineHarness.RunFacts> facts = new AtomicReference<>();
        Map<String, RequestOutput> outputs = harness.runEngine(CONFIG, arrivals, fault, (id, t) -> { }, facts::set);

        assertThat(outputs).hasSize(arrivals.size());
        assertThat(outputs.get("req-2").finishReason()).isEqualTo(FinishReason.ERROR);
        assertThat(outputs.get("req-2").error()).contains("injected fault for req-2");
        assertThat(outputs.get("req-2").tokenIds()).isEmpty();
        assertThat(outputs.get("req-5").finishReason()).isEqualTo(FinishReason.ERROR);
        assertThat(outputs.get("req-5").tokenIds()).hasSize(2);
        assertThat(failedWithOthers.get()).as("forwards that failed with innocent chunks in them").isPositive();
        assertThat(attempts.get()).as("forward attempts").isGreaterThan((int) facts.get().stats().steps());
        assertInnocentGetTheirTokensAlone(arrivals, outputs, poisoned);
        assertThat(facts.get().stats().kvBlocksFree()).as("every block back").isEqualTo(CONFIG.numKvBlocks());
    }

    @Test
    void aListenerThatThrowsEndsItsRequestOnly() {
        List<EngineHarness.Arrival> arrivals = arrivals(6);
        AtomicReference<EngineHarness.RunFacts> facts = new AtomicReference<>();
        Map<String, RequestOutput> outputs = harness.runEngine(CONFIG, arrivals, StepForward.Fault.NONE, (id, token) -> {
            if (id.equals("req-1") && token.index() == 1) {
                throw new IllegalStateException("the token topic is gone");
            }
        }, facts::set);

        assertThat(outputs.get("req-1").finishReason()).isEqualTo(FinishReason.ERROR);
        assertThat(outputs.get("req-1").error()).contains("the token topic is gone");
        assertThat(outputs.get("req-1").tokenIds()).hasSize(2);
        assertInnocentGetTheirTokensAlone(arrivals, outputs, Set.of("req-1"));
        assertThat(facts.get().stats().kvBlocksFree()).as("every block back").isEqualTo(CONFIG.numKvBlocks());
    }

    @Test
    void whenEveryForwardFailsEveryRequestEndsWithAnErrorAndTheEngineGoesOn() {
        AtomicInteger attempts = new AtomicInteger();
        List<EngineHarness.Arrival> arrivals = arrivals(5);
        Map<String, RequestOutput> outputs = harness.runEngine(CONFIG, arrivals, plan -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("the device is gone");
        }, (id, t) -> { }, facts -> assertThat(facts.stats().kvBlocksFree()).isEqualTo(CONFIG.numKvBlocks()));

        assertThat(outputs).hasSize(5).allSatisfy((id, out) -> {
            assertThat(out.finishReason()).isEqualTo(FinishReason.ERROR);
            assertThat(out.error()).contains("the device is gone");
        });
        assertThat(attempts.get()).as("bounded retries: at most 2n - 1 per step").isLessThanOrEqualTo(5 * (2 * 5 - 1));
    }

    private static void assertInnocentGetTheirTokensAlone(List<EngineHarness.Arrival> arrivals,
                                                          Map<String, RequestOutput> outputs, Set<String> guilty) {
        for (EngineHarness.Arrival a : arrivals) {
            if (guilty.contains(a.request().id())) {
                continue;
            }
            RequestOutput batched = outputs.get(a.request().id());
            assertThat(batched.finishReason()).as(a.request().id()).isIn(FinishReason.STOP, FinishReason.LENGTH);
            assertThat(batched.tokenIds()).as(a.request().id()).containsExactly(harness.alone(a.request()).tokenIds());
        }
    }

    /** Greedy requests with images (one shared) and a shared system prefix, most arriving together. */
    private static List<EngineHarness.Arrival> arrivals(int n) {
        LanguageConfig c = harness.model.config();
        Random random = new Random(31);
        int[] system = EngineHarness.prompt(harness.model, new int[] {c.bosTokenId()}, 0, 0, 9, random);
        List<DecodedImage> images = List.of(EngineHarness.image(40, 30, 1), EngineHarness.image(23, 50, 2));
        List<EngineHarness.Arrival> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            List<DecodedImage> img = k % 3 == 2 ? List.of() : List.of(images.get(k % 2));
            int[] prompt = EngineHarness.prompt(harness.model, system, img.size(), harness.model.imageTokensPerImage(),
                    2 + random.nextInt(9), random);
            SamplingParams params = SamplingParams.greedy(5 + random.nextInt(6)).ignoringEos();
            out.add(new EngineHarness.Arrival(k < n - 2 ? 0 : 3 + k, new EngineRequest("req-" + k, prompt, img, params,
                    null, false)));
        }
        return out;
    }
}
