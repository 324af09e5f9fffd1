package io.trolserve.engine;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import io.trolserve.model.ForwardBatch;
import io.trolserve.model.KvStore;
import io.trolserve.model.PagedKvPool;
import io.trolserve.model.TrolModel;

/**
 * Turns a step plan into one model forward: the chunks' tokens laid end to end, each with paged
 * K/V stores for its passes, the image features its image tokens take, and the rows whose logits
 * pick the next tokens. Runs inside the step's PointerScope; every tensor here dies with it.
 *
 * <p>All slot indices of the step go into one int64 tensor (one host-to-device copy); each store
 * gets views of it:
 * <pre>
 * slots: | A pass1 write | A pass1 read | A pass2 write | A pass2 read | B pass1 write | ... |
 * </pre>
 */
final class ModelRunner {

    private final TrolModel model;
    private final PagedKvPool pool;

    ModelRunner(TrolModel model, PagedKvPool pool) {
        this.model = model;
        this.pool = pool;
    }

    /** @return for each sampling chunk's request, the float32 logits of its last row */
    Map<Request, float[]> run(StepPlan plan) {
        int rows = 0;
        for (StepPlan.Chunk c : plan.chunks()) {
            rows += c.numTokens();
        }
        int[] tokenIds = new int[rows];
        List<Long> slots = new ArrayList<>();
        List<int[]> spans = new ArrayList<>();          // per chunk: offsets into slots of its four views
        List<Integer> logitRows = new ArrayList<>();
        List<Request> sampling = new ArrayList<>();
        int row = 0;
        for (StepPlan.Chunk c : plan.chunks()) {
            for (int i = 0; i < c.numTokens(); i++) {
                tokenIds[row + i] = c.request().tokenAt(c.start() + i);
            }
            spans.add(addSlots(slots, c));
            row += c.numTokens();
            if (c.samples()) {
                logitRows.add(row - 1);
                sampling.add(c.request());
            }
        }
        try (Device device = model.placement().device()) {
            Tensor allSlots = toDevice(slots, device);
            List<ForwardBatch.Sequence> sequences = new ArrayList<>();
            for (int k = 0; k < plan.chunks().size(); k++) {
                sequences.add(sequence(plan.chunks().get(k), spans.get(k), allSlots));
            }
            ForwardBatch batch = new ForwardBatch(tokenIds, sequences, imageRows(plan),
                    logitRows.stream().mapToInt(Integer::intValue).toArray());
            Tensor logits = model.forward(batch);                                        // (N, V)
            return sampling.isEmpty() ? new IdentityHashMap<>() : split(logits.cpu().contiguous(), sampling);
        }
    }

    /** Appends the chunk's write/read slots for pass 1 (and pass 2); returns their offsets and lengths. */
    private int[] addSlots(List<Long> slots, StepPlan.Chunk c) {
        int[] span = new int[8];
        appendSlots(slots, c.request().scheduling.pass1(), c.start(), c.end(), span, 0);
        if (c.traversed()) {
            appendSlots(slots, c.request().scheduling.pass2(), c.start(), c.end(), span, 4);
        }
        return span;
    }

    private void appendSlots(List<Long> slots, BlockTable table, int start, int end, int[] span, int at) {
        int b = pool.blockSize();
        span[at] = slots.size();
        for (int p = start; p < end; p++) {
            slots.add((long) table.block(p / b) * b + p % b);
        }
        span[at + 1] = end - start;
        span[at + 2] = slots.size();
        for (int p = 0; p < end; p++) {
            slots.add((long) table.block(p / b) * b + p % b);
        }
        span[at + 3] = end;
    }

    private ForwardBatch.Sequence sequence(StepPlan.Chunk c, int[] span, Tensor slots) {
        KvStore pass1 = pool.store(slots.narrow(0, span[0], span[1]), slots.narrow(0, span[2], span[3]));
        KvStore pass2 = c.traversed() ? pool.store(slots.narrow(0, span[4], span[5]), slots.narrow(0, span[6], span[7])) : null;
        return new ForwardBatch.Sequence(c.numTokens(), c.start(), c.traversed(), pass1, pass2);
    }

    /** Feature rows of the image tokens in the chunks, in row order; null if there are none. */
    private Tensor imageRows(StepPlan plan) {
        int imageId = model.imageTokenId();
        List<Tensor> parts = new ArrayList<>();
        for (StepPlan.Chunk c : plan.chunks()) {
            if (c.request().imageTokens == 0 || c.start() >= c.request().promptLength()) {
                continue;
            }
            int[] prompt = c.request().input.promptIds();
            int before = 0;
            for (int p = 0; p < c.start(); p++) {
                before += prompt[p] == imageId ? 1 : 0;
            }
            int inChunk = 0;
            for (int p = c.start(); p < c.end(); p++) {
                inChunk += prompt[p] == imageId ? 1 : 0;
            }
            if (inChunk > 0) {
                parts.add(c.request().imageFeatures().narrow(0, before, inChunk));
            }
        }
        if (parts.isEmpty()) {
            return null;
        }
        return parts.size() == 1 ? parts.get(0) : torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
    }

    private static Tensor toDevice(List<Long> values, Device device) {
        long[] array = values.stream().mapToLong(Long::longValue).toArray();
        Tensor cpu = AbstractTensor.create(array);
        return device.is_cuda() ? cpu.to(device, ScalarType.Long) : cpu;
    }

    private static Map<Request, float[]> split(Tensor logits, List<Request> sampling) {
        Map<Request, float[]> out = new IdentityHashMap<>();
        int vocab = (int) logits.size(1);
        float[] all = new float[sampling.size() * vocab];
        logits.data_ptr_float().get(all);
        for (int i = 0; i < sampling.size(); i++) {
            float[] rowLogits = new float[vocab];
            System.arraycopy(all, i * vocab, rowLogits, 0, vocab);
            out.put(sampling.get(i), rowLogits);
        }
        return out;
    }
}
