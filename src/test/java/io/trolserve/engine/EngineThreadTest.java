package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.trolserve.model.TinyCheckpoints;
import io.trolserve.model.LanguageConfig;
import io.trolserve.tiny.TinyCheckpointSpec;

/**
 * The engine behind its thread: many submitting threads, tokens streamed in order through the
 * listener, cancellation and deadlines ending requests with their reasons, impossible requests
 * refused with an error, shutdown ending what is left, and the health a watchdog reads: DEAD once
 * the thread is gone (submit then refuses), STALLED while a step does not end.
 */
class EngineThreadTest {

    private static EngineHarness harness;

    @BeforeAll
    static void setUp() {
        harness = new EngineHarness(TinyCheckpoints.of(TinyCheckpointSpec.micro()));
    }

    @AfterAll
    static void tearDown() {
        harness.close();
    }

    /** Collects everything a request streams. */
    static class Collector implements RequestListener {
        final Map<String, List<TokenOutput>> tokens = new ConcurrentHashMap<>();
        final Map<String, RequestOutput> done = new ConcurrentHashMap<>();
        final CountDownLatch finished;

        Collector(int expected) {
            finished = new CountDownLatch(expected);
        }

        @Override
        public void onToken(TokenOutput token) {
            tokens.computeIfAbsent(token.requestId(), k -> new CopyOnWriteArrayList<>()).add(token);
        }

        @Override
        public void onFinish(RequestOutput output) {
            done.put(output.requestId(), output);
            finished.countDown();
        }
    }

    @Test
    void manyThreadsSubmitAndEveryRequestStreamsItsTokensInOrder() throws Exception {
        Collector collector = new Collector(24);
        try (Engine engine = Engine.start(harness.model, harness.tokenizer, EngineConfig.defaults(512))) {
            ExecutorService clients = Executors.newFixedThreadPool(4);
            for (int k = 0; k < 24; k++) {
                int n = k;
                clients.submit(() -> engine.submit(request("r" + n, n, SamplingParams.greedy(4 + n % 5), null), collector));
            }
            assertThat(collector.finished.await(60, TimeUnit.SECONDS)).isTrue();
            clients.shutdown();
            assertThat(awaitIdle(engine).kvBlocksFree()).as("every block back").isEqualTo(512);
        }
        for (RequestOutput out : collector.done.values()) {
            List<TokenOutput> streamed = collector.tokens.get(out.requestId());
            assertThat(streamed).extracting(TokenOutput::index).containsExactly(range(out.tokenIds().length));
            assertThat(streamed).extracting(TokenOutput::tokenId).containsExactly(box(out.tokenIds()));
            assertThat(streamed.get(streamed.size() - 1).last()).isTrue();
            assertThat(streamed.get(0).latencyMs()).isPositive();
            assertThat(out.timings().ttftMs()).isNotNull();
        }
    }

    @Test
    void cancellationAndDeadlinesEndRequestsWithTheirReasons() throws Exception {
        Collector collector = new Collector(3);
        try (Engine engine = Engine.start(harness.model, harness.tokenizer, EngineConfig.defaults(512))) {
            SamplingParams longAnswer = new SamplingParams(1500, 0.0, 1.0, 0, null, List.of()).ignoringEos();
            engine.submit(request("cancel-me", 1, longAnswer, null), collector);
            engine.submit(request("too-late", 2, SamplingParams.greedy(5), Instant.now().minusSeconds(1)), collector);
            engine.submit(request("expires", 3, longAnswer, Instant.now().plusMillis(150)), collector);
            Thread.sleep(50);
            engine.cancel("cancel-me");
            assertThat(collector.finished.await(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(collector.done.get("cancel-me").finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(collector.done.get("too-late").finishReason()).isEqualTo(FinishReason.DEADLINE);
        assertThat(collector.done.get("too-late").tokenIds()).isEmpty();
        assertThat(collector.done.get("expires").finishReason()).isEqualTo(FinishReason.DEADLINE);
    }

    @Test
    void impossibleRequestsAreRefusedWithAReason() throws Exception {
        Collector collector = new Collector(3);
        LanguageConfig c = harness.model.config();
        try (Engine engine = Engine.start(harness.model, harness.tokenizer, EngineConfig.defaults(8))) {
            engine.submit(request("too-long", 1, SamplingParams.greedy(5000), null), collector);
            engine.submit(request("pool-too-small", 2, SamplingParams.greedy(200), null), collector);
            engine.submit(new EngineRequest("bad-token", new int[] {1, c.vocabSize() + 5}, List.of(),
                    SamplingParams.greedy(3), null, false), collector);
            assertThat(collector.finished.await(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(collector.done.values()).allSatisfy(o -> assertThat(o.finishReason()).isEqualTo(FinishReason.ERROR));
        assertThat(collector.done.get("too-long").error()).contains("positions");
        assertThat(collector.done.get("pool-too-small").error()).contains("KV blocks");
        assertThat(collector.done.get("bad-token").error()).contains("outside the vocabulary");
    }

    @Test
    void shutdownEndsWhatIsLeftAsCancelled() throws Exception {
        Collector collector = new Collector(2);
        Engine engine = Engine.start(harness.model, harness.tokenizer, EngineConfig.defaults(512));
        SamplingParams endless = new SamplingParams(1500, 0.0, 1.0, 0, null, List.of()).ignoringEos();
        engine.submit(request("a", 1, endless, null), collector);
        engine.submit(request("b", 2, endless, null), collector);
        Thread.sleep(100);
        engine.shutdown(Duration.ofMillis(50));
        assertThat(collector.finished.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(collector.done.values()).allSatisfy(o -> assertThat(o.finishReason()).isEqualTo(FinishReason.CANCELLED));
        assertThat(engine.isAlive()).isFalse();
    }

    @Test
    void anErrorOnTheEngineThreadEndsItAndHealthAndSubmitSaySo() throws Exception {
        Engine engine = Engine.start(harness.model, harness.tokenizer, EngineConfig.defaults(512));
        assertThat(engine.isAlive()).isTrue();
        assertThat(engine.health(Duration.ofMinutes(2))).isEqualTo(EngineHealth.ALIVE);
        engine.submit(request("doomed", 3, new SamplingParams(4, 0.0, 1.0, 0, null, List.of()), null), new Collector(1) {
            @Override
            public void onToken(TokenOutput token) {
                // an Error is not a request's failure: the engine cannot vouch for its state and stops (liveness fails)
                throw new OutOfMemoryError("simulated: a native allocation failed");
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (engine.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(engine.isAlive()).isFalse();
        EngineHealth health = engine.health(Duration.ofMinutes(2));
        assertThat(health.status()).isEqualTo(EngineHealth.Status.DEAD);
        assertThat(health.reason()).contains("simulated: a native allocation failed");
        // nobody would answer it: the caller keeps the request (its Kafka record stays uncommitted)
        assertThatThrownBy(() -> engine.submit(request("after", 4, SamplingParams.greedy(2), null), new Collector(1)))
                .isInstanceOf(EngineClosedException.class).hasMessageContaining("died");
        engine.close();
    }

    @Test
    void aListenerThatThrowsEndsItsRequestAndTheEngineServesOn() throws Exception {
        Collector collector = new Collector(2);
        try (Engine engine = Engine.start(harness.model, harness.tokenizer, EngineConfig.defaults(512))) {
            engine.submit(request("broken", 5, SamplingParams.greedy(4), null), new Collector(0) {
                @Override
                public void onToken(TokenOutput token) {
                    throw new IllegalStateException("the producer is closed");
                }

                @Override
                public void onFinish(RequestOutput output) {
                    collector.onFinish(output);
                }
            });
            engine.submit(request("fine", 6, SamplingParams.greedy(4), null), collector);
            assertThat(collector.finished.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(engine.health(Duration.ofMinutes(2))).isEqualTo(EngineHealth.ALIVE);
        }
        assertThat(collector.done.get("broken").finishReason()).isEqualTo(FinishReason.ERROR);
        assertThat(collector.done.get("broken").error()).contains("the producer is closed");
        assertThat(collector.done.get("fine").finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
    }

    @Test
    void aStepThatDoesNotEndIsReportedStalledUntilItEnds() throws Exception {
        Duration stallTimeout = Duration.ofMillis(300);
        CountDownLatch release = new CountDownLatch(1);
        Collector collector = new Collector(1);
        try (Engine engine = Engine.start(harness.model, harness.tokenizer, EngineConfig.defaults(512))) {
            Thread.sleep(3 * stallTimeout.toMillis());
            assertThat(engine.health(stallTimeout)).as("idle for longer than the timeout").isEqualTo(EngineHealth.ALIVE);

            engine.submit(request("stuck", 7, SamplingParams.greedy(3), null), new Collector(0) {
                @Override
                public void onToken(TokenOutput token) {
                    try {
                        release.await();   // a listener blocked on I/O: the engine thread waits with it
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void onFinish(RequestOutput output) {
                    collector.onFinish(output);
                }
            });
            try {
                EngineHealth stalled = awaitHealth(engine, stallTimeout, EngineHealth.Status.STALLED);
                assertThat(stalled.reason()).contains("no engine step has finished").contains("1 requests in the engine");
                assertThat(engine.health(Duration.ofMinutes(2))).as("within a longer timeout").isEqualTo(EngineHealth.ALIVE);
            } finally {
                release.countDown();
            }
            assertThat(collector.finished.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(awaitHealth(engine, stallTimeout, EngineHealth.Status.ALIVE).reason()).isNull();
        }
    }

    @Test
    void submitRefusesOnceTheEngineHasShutDown() {
        Engine engine = Engine.start(harness.model, harness.tokenizer, EngineConfig.defaults(64));
        engine.shutdown(Duration.ZERO);
        assertThat(engine.health(Duration.ofMinutes(2)).status()).isEqualTo(EngineHealth.Status.DEAD);
        assertThatThrownBy(() -> engine.submit(request("late", 8, SamplingParams.greedy(2), null), new Collector(1)))
                .isInstanceOf(EngineClosedException.class);
    }

    private static EngineHealth awaitHealth(Engine engine, Duration stallTimeout, EngineHealth.Status wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        EngineHealth h = engine.health(stallTimeout);
        while (h.status() != wanted && System.nanoTime() < deadline) {
            Thread.sleep(20);
            h = engine.health(stallTimeout);
        }
        assertThat(h.status()).as("health %s", h).isEqualTo(wanted);
        return h;
    }

    private static EngineRequest request(String id, long seed, SamplingParams params, Instant deadline) {
        LanguageConfig c = harness.model.config();
        Random random = new Random(seed);
        boolean withImage = seed % 2 == 0;
        int[] prompt = EngineHarness.prompt(harness.model, new int[] {c.bosTokenId()}, withImage ? 1 : 0,
                harness.model.imageTokensPerImage(), 5 + random.nextInt(20), random);
        List<io.trolserve.vision.DecodedImage> images = withImage ? List.of(EngineHarness.image(32, 24, seed)) : List.of();
        return new EngineRequest(id, prompt, images, params, deadline, false);
    }

    /** Stats are published after each step, a moment after the listeners ran. */
    private static EngineStats awaitIdle(Engine engine) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            EngineStats s = engine.stats();
            if (s.running() == 0 && s.waiting() == 0) {
                return s;
            }
            Thread.sleep(10);
        }
        return engine.stats();
    }

    private static Integer[] range(int n) {
        Integer[] out = new Integer[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    private static Integer[] box(int[] values) {
        List<Integer> out = new ArrayList<>();
        for (int v : values) {
            out.add(v);
        }
        return out.toArray(new Integer[0]);
    }
}
