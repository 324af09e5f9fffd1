package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The traversed Phi-3 layers of TroL-3.8B (docs/TROL_3_8B.md §4, §5) against an independent plain
 * re-implementation of the official modules ({@code tools/reference/phi3_reference.py}): a tiny
 * random Phi-3 (H 64, I 96, 2 layers, 4 heads over 2 K/V heads) fed random input embeddings, a
 * 12-token prompt traversed in one forward and then 3 decode steps on the pass-1 cache. Cases:
 * su RoPE with short factors and magnitude sqrt(1.5), yarn, plain RoPE, and su with a sliding
 * window of 4 (cutting keys in both passes and in every decode step).
 *
 * <p>Every row's logits must be within 1e-4 of the reference; the prompt prefilled in chunks of 1
 * and 5, in a paged pool, or batched with another sequence must be within 1e-5 of the whole one.
 */
class Phi3ReferenceTest {

    private static final float TO_REFERENCE = 1e-4f;
    private static final float TO_WHOLE = 1e-5f;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"su", "yarn", "plain", "window"})
    void matchesTheIndependentReference(String name) {
        try (Phi3Fixture f = new Phi3Fixture(name)) {
            float[][] expected = Phi3Steps.rows(f.expected);
            float[][] whole = alone(f, 0);
            float toReference = Phi3Steps.maxAbsDiff(whole, expected);
            System.out.printf("Phi3ReferenceTest %-6s whole prompt + 3 decode steps: max |logit diff| %.3g to the reference%n",
                    name, toReference);
            assertThat(toReference).as("%s: whole prompt and decode against the reference", name)
                    .isLessThanOrEqualTo(TO_REFERENCE);
            for (int chunk : new int[] {1, 5}) {
                float toWhole = Phi3Steps.maxAbsDiff(alone(f, chunk), whole);
                System.out.printf("Phi3ReferenceTest %-6s chunks of %d: max |logit diff| %.3g to whole%n", name, chunk, toWhole);
                assertThat(toWhole).as("%s: chunks of %d against the whole prompt", name, chunk)
                        .isLessThanOrEqualTo(TO_WHOLE);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"su", "window"})
    void aPagedPoolGivesTheContiguousLogits(String name) {
        try (Phi3Fixture f = new Phi3Fixture(name);
             PagedKvPool pool = new PagedKvPool(f.kvLayout(), 12, 4)) {
            float[][] contiguous = alone(f, 5);
            Random random = new Random(7);
            try (Phi3Steps.Sequence s = new Phi3Steps.Sequence(
                    Phi3Steps.paged(pool, 0, 4, random), Phi3Steps.paged(pool, 4, 3, random))) {
                assertThat(Phi3Steps.maxAbsDiff(Phi3Steps.alone(f, s, 5), contiguous)).isLessThanOrEqualTo(TO_WHOLE);
            }
        }
    }

    /**
     * Two sequences in one pool, stepped together the way a scheduler mixes them: a decode row
     * beside another's prompt chunk (one traversed, one not), in either order, then decode beside
     * decode. Each must get the logits it gets alone.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"su", "window"})
    void aBatchGivesEachSequenceItsOwnLogits(String name) {
        try (Phi3Fixture f = new Phi3Fixture(name);
             PagedKvPool pool = new PagedKvPool(f.kvLayout(), 16, 4)) {
            float[][] single = alone(f, 0);
            Random random = new Random(11);
            try (Phi3Steps.Sequence a = new Phi3Steps.Sequence(
                         Phi3Steps.paged(pool, 0, 4, random), Phi3Steps.paged(pool, 4, 3, random));
                 Phi3Steps.Sequence b = new Phi3Steps.Sequence(
                         Phi3Steps.paged(pool, 7, 4, random), Phi3Steps.paged(pool, 11, 3, random))) {
                Phi3Steps.step(f, List.of(a), new int[] {12});
                Phi3Steps.step(f, List.of(a, b), new int[] {1, 5});
                Phi3Steps.step(f, List.of(b, a), new int[] {7, 1});
                Phi3Steps.step(f, List.of(a, b), new int[] {1, 1});
                Phi3Steps.step(f, List.of(b), new int[] {1});
                Phi3Steps.step(f, List.of(b), new int[] {1});
                assertThat(Phi3Steps.maxAbsDiff(a.logitRows(), single)).as("first sequence").isLessThanOrEqualTo(TO_WHOLE);
                assertThat(Phi3Steps.maxAbsDiff(b.logitRows(), single)).as("second sequence").isLessThanOrEqualTo(TO_WHOLE);
            }
        }
    }

    private static float[][] alone(Phi3Fixture f, int chunk) {
        int positions = Phi3Fixture.PROMPT + Phi3Fixture.DECODE;
        try (Phi3Steps.Sequence s = new Phi3Steps.Sequence(Phi3Steps.contiguous(f.kvLayout(), positions),
                Phi3Steps.contiguous(f.kvLayout(), Phi3Fixture.PROMPT))) {
            return Phi3Steps.alone(f, s, chunk);
        }
    }
}
