package io.trolserve.testkit;

import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Seeded property trials on plain JUnit: a check runs on many generated cases, and a failure names
 * the seed, so the exact run replays with {@code -Dtrials.seed=N}. Each run draws a fresh seed
 * unless one is given: CI then explores new cases every time, and whatever it finds is replayable.
 *
 * <p>(jqwik would be the usual tool; its 1.10 release prints that AI agents must not use it, and
 * this project respects that.)
 */
public final class Trials {

    private Trials() {
    }

    /** A check that may throw anything; a throw is a failed trial. */
    @FunctionalInterface
    public interface Check<T> {
        void accept(T value) throws Exception;
    }

    /** The seed of this run: {@code -Dtrials.seed} when set, else a fresh one. */
    public static long seed() {
        String given = System.getProperty("trials.seed");
        return given != null ? Long.parseLong(given) : new SplittableRandom().nextLong();
    }

    /**
     * Runs {@code check} on {@code tries} values drawn by {@code generate} from one seeded stream.
     *
     * @throws AssertionError naming the seed, the trial and the value when a check fails
     */
    public static <T> void forAll(int tries, Function<SplittableRandom, T> generate, Check<T> check) {
        long seed = seed();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < tries; i++) {
            T value = generate.apply(random);
            try {
                check.accept(value);
            } catch (Throwable t) {
                throw new AssertionError("trial " + (i + 1) + " of " + tries + " failed (replay with -Dtrials.seed="
                        + seed + "): " + describe(value) + ": " + t, t);
            }
        }
    }

    private static String describe(Object value) {
        String s = value instanceof byte[] b ? b.length + " bytes " + Mutations.preview(b) : String.valueOf(value);
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
