package io.trolserve.model;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The paged K/V memory of the engine: per layer one key and one value tensor of
 * (numBlocks * blockSize, nKV, d), allocated once and never resized. A position of a sequence
 * lives in slot {@code blockTable[pos / blockSize] * blockSize + pos % blockSize}:
 * <pre>
 * block table [7, 2, 9], block size 4:   pos 0..3 -> slots 28..31, 4..7 -> 8..11, 8..11 -> 36..39
 * </pre>
 * Which blocks belong to whom is the engine's bookkeeping; this class only holds the memory.
 * Create it on the thread that runs the model, inside its InferenceMode (tensors made there can
 * only be updated in place there).
 */
public final class PagedKvPool implements AutoCloseable {

    private final int numBlocks;
    private final int blockSize;
    private final long bytesPerSlot;
    private final List<Tensor> keys = new ArrayList<>();
    private final List<Tensor> values = new ArrayList<>();
    private boolean closed;

    public PagedKvPool(KvLayout layout, int numBlocks, int blockSize) {
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        long[] shape = layout.shape((long) numBlocks * blockSize);
        Placement placement = layout.placement();
        this.bytesPerSlot = (long) layout.numKvHeads() * layout.headDim() * placement.dtype().byteSize();
        try (Device device = placement.device();
             TensorOptions options = new TensorOptions(placement.scalarType()).device(new DeviceOptional(device))) {
            for (int i = 0; i < layout.numLayers(); i++) {
                // uninitialised: a slot is always written before any step reads it, and untouched
                // pages of a large pool then cost no time at start-up and no resident memory
                keys.add(torch.empty(shape, options, new MemoryFormatOptional()));
                values.add(torch.empty(shape, options, new MemoryFormatOptional()));
            }
        }
    }

    public int numBlocks() {
        return numBlocks;
    }

    public int blockSize() {
        return blockSize;
    }

    /** Bytes of one position's keys (or values) in one layer: nKV * d * element size. */
    long bytesPerSlot() {
        return bytesPerSlot;
    }

    /** (numBlocks * blockSize, nKV, d). */
    Tensor keys(int layer) {
        return keys.get(layer);
    }

    /** (numBlocks * blockSize, nKV, d). */
    Tensor values(int layer) {
        return values.get(layer);
    }

    /**
     * The store of one sequence and pass for one step.
     *
     * @param writeSlots int64 slots of the step's new positions [start, start + n)
     * @param readSlots  int64 slots of positions [0, start + n), the attention context
     */
    public KvStore store(Tensor writeSlots, Tensor readSlots) {
        return new PagedKvStore(this, writeSlots, readSlots);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            keys.forEach(Tensor::close);
            values.forEach(Tensor::close);
        }
    }
}
