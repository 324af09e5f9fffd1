package io.trolserve.model;

import org.bytedeco.pytorch.Tensor;

/**
 * One sequence's K/V for one pass during one step, in the paged pool: new rows are scattered to
 * their slots, the context is gathered from its slots. The slot index tensors are built once per
 * step and shared by every layer.
 */
final class PagedKvStore implements KvStore {

    private final PagedKvPool pool;
    private final Tensor writeSlots;
    private final Tensor readSlots;

    PagedKvStore(PagedKvPool pool, Tensor writeSlots, Tensor readSlots) {
        this.pool = pool;
        this.writeSlots = writeSlots;
        this.readSlots = readSlots;
    }

    PagedKvPool pool() {
        return pool;
    }

    /** int64 slots of the step's new positions [start, start + n). */
    Tensor writeSlots() {
        return writeSlots;
    }

    /** int64 slots of positions [0, start + n). */
    Tensor readSlots() {
        return readSlots;
    }

    @Override
    public KeyValues append(int layer, int start, Tensor newKeys, Tensor newValues) {
        Tensor k = pool.keys(layer);
        Tensor v = pool.values(layer);
        k.index_copy_(0, writeSlots, newKeys);
        v.index_copy_(0, writeSlots, newValues);
        return new KeyValues(k.index_select(0, readSlots), v.index_select(0, readSlots));   // (start + n, nKV, d)
    }
}
