package io.trolserve.model;

/**
 * What one position's K/V looks like in a model: per layer and pass, {@code numKvHeads} keys and
 * values of {@code headDim} elements in the placement's dtype. The engine sizes its paged pool
 * from this; the model's attention reads the same shape back.
 */
public record KvLayout(int numLayers, int numKvHeads, int headDim, Placement placement) {

    public KvLayout {
        if (numLayers <= 0 || numKvHeads <= 0 || headDim <= 0) {
            throw new IllegalArgumentException("K/V layout needs positive sizes, got " + numLayers + " layers, "
                    + numKvHeads + " K/V heads of " + headDim);
        }
    }

    /** (slots, nKV, d): the shape of one layer's key or value tensor of {@code slots} positions. */
    long[] shape(long slots) {
        return new long[] {slots, numKvHeads, headDim};
    }

    /** Bytes one block of {@code blockSize} positions takes across all layers, keys and values. */
    public long bytesPerBlock(int blockSize) {
        return 2L * numLayers * blockSize * numKvHeads * headDim * placement.dtype().byteSize();
    }
}
