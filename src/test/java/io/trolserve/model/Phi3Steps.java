package io.trolserve.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Drives {@link Phi3LanguageModel} the way the engine will: steps over {@link ForwardBatch}es of
 * one or more sequences, each step in its own PointerScope, every sequence's prompt traversed in
 * chunks (pass-1 and pass-2 stores) and then decoded one row at a time on its pass-1 store. Each
 * sequence feeds the fixture's inputs: the 12 prompt embeddings, then the 3 decode embeddings.
 */
final class Phi3Steps {

    private Phi3Steps() {
    }

    /** Where a sequence keeps one pass's K/V: the store a step writes positions [start, start + n) to. */
    interface PassStore extends AutoCloseable {
        KvStore forStep(int start, int n);

        @Override
        default void close() {
        }
    }

    static PassStore contiguous(KvLayout layout, int capacity) {
        ContiguousKvStore store = new ContiguousKvStore(layout, capacity);
        return new PassStore() {
            @Override
            public KvStore forStep(int start, int n) {
                return store;
            }

            @Override
            public void close() {
                store.close();
            }
        };
    }

    /** Positions in {@code blocks} shuffled blocks of the pool, from {@code firstBlock} on. */
    static PassStore paged(PagedKvPool pool, int firstBlock, int blocks, Random random) {
        List<Integer> table = new ArrayList<>();
        for (int b = firstBlock; b < firstBlock + blocks; b++) {
            table.add(b);
        }
        Collections.shuffle(table, random);
        return (start, n) -> pool.store(slots(table, pool.blockSize(), start, start + n),
                slots(table, pool.blockSize(), 0, start + n));
    }

    private static Tensor slots(List<Integer> table, int blockSize, int from, int to) {
        long[] out = new long[to - from];
        for (int p = from; p < to; p++) {
            out[p - from] = (long) table.get(p / blockSize) * blockSize + p % blockSize;
        }
        return AbstractTensor.create(out);
    }

    /** One sequence's stores, progress and logit rows (copied out of the steps' scopes). */
    static final class Sequence implements AutoCloseable {
        final PassStore pass1;
        final PassStore pass2;
        int done;
        final List<float[]> logits = new ArrayList<>();

        Sequence(PassStore pass1, PassStore pass2) {
            this.pass1 = pass1;
            this.pass2 = pass2;
        }

        float[][] logitRows() {
            return logits.toArray(new float[0][]);
        }

        @Override
        public void close() {
            pass1.close();
            pass2.close();
        }
    }

    /** A sequence alone: its prompt in chunks of {@code chunk} rows (0: whole), then every decode step. */
    static float[][] alone(Phi3Fixture f, Sequence s, int chunk) {
        int size = chunk == 0 ? Phi3Fixture.PROMPT : chunk;
        while (s.done < Phi3Fixture.PROMPT) {
            step(f, List.of(s), new int[] {Math.min(size, Phi3Fixture.PROMPT - s.done)});
        }
        while (s.done < Phi3Fixture.PROMPT + Phi3Fixture.DECODE) {
            step(f, List.of(s), new int[] {1});
        }
        return s.logitRows();
    }

    /** One step: the next {@code counts[i]} rows of sequence i, laid end to end; every row's logits kept. */
    static void step(Phi3Fixture f, List<Sequence> sequences, int[] counts) {
        try (PointerScope scope = new PointerScope();
             Device cpu = new Device("cpu")) {
            List<ForwardBatch.Sequence> parts = new ArrayList<>();
            List<Tensor> inputs = new ArrayList<>();
            int rows = 0;
            for (int i = 0; i < sequences.size(); i++) {
                Sequence s = sequences.get(i);
                int n = counts[i];
                if (s.done < Phi3Fixture.PROMPT) {
                    inputs.add(f.prompt.narrow(0, s.done, n));
                    parts.add(new ForwardBatch.Sequence(n, s.done, true, s.pass1.forStep(s.done, n),
                            s.pass2.forStep(s.done, n)));
                } else {
                    inputs.add(f.decode.narrow(0, s.done - Phi3Fixture.PROMPT, n));
                    parts.add(new ForwardBatch.Sequence(n, s.done, false, s.pass1.forStep(s.done, n), null));
                }
                rows += n;
            }
            int[] all = new int[rows];
            for (int r = 0; r < rows; r++) {
                all[r] = r;
            }
            ForwardBatch batch = new ForwardBatch(new int[rows], parts, null, all);
            Tensor x = torch.cat(new TensorVector(inputs.toArray(new Tensor[0])), 0);           // (R, H)
            Tensor logits = f.model.forward(batch, x, cpu).contiguous();                       // (R, V)
            int v = (int) logits.size(1);
            float[] flat = new float[rows * v];
            logits.data_ptr_float().get(flat);
            int row = 0;
            for (int i = 0; i < sequences.size(); i++) {
                for (int j = 0; j < counts[i]; j++, row++) {
                    float[] out = new float[v];
                    System.arraycopy(flat, row * v, out, 0, v);
                    sequences.get(i).logits.add(out);
                }
                sequences.get(i).done += counts[i];
            }
        }
    }

    static float maxAbsDiff(float[][] a, float[][] b) {
        if (a.length != b.length) {
            throw new AssertionError(a.length + " rows against " + b.length);
        }
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, CachedGenerationMatchesOracleTest.maxAbsDiff(a[i], b[i]));
        }
        return max;
    }

    /** (rows, V) float32 as rows. */
    static float[][] rows(Tensor t) {
        Tensor c = t.contiguous();
        int v = (int) c.size(1);
        float[] flat = new float[(int) c.numel()];
        c.data_ptr_float().get(flat);
        float[][] out = new float[(int) c.size(0)][v];
        for (int i = 0; i < out.length; i++) {
            System.arraycopy(flat, i * v, out[i], 0, v);
        }
        return out;
    }
}
