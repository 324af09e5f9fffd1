package io.trolserve.model;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * One sequence's K/V in buffers of a fixed capacity, allocated once when the sequence starts
 * (outside any step scope) and freed by {@link #close()}: per layer a (capacity, nKV, d) tensor for
 * keys and one for values. Steps write in place and read prefix views, so a step allocates no
 * cache memory.
 */
public final class ContiguousKvStore implements KvStore, AutoCloseable {

    private final int capacity;
    private final List<Tensor> keys = new ArrayList<>();
    private final List<Tensor> values = new ArrayList<>();
    private boolean closed;

    public ContiguousKvStore(KvLayout layout, int capacity) {
        this.capacity = capacity;
        long[] shape = layout.shape(capacity);
        Placement placement = layout.placement();
        try (Device device = placement.device();
             TensorOptions options = new TensorOptions(placement.scalarType()).device(new DeviceOptional(device))) {
            for (int i = 0; i < layout.numLayers(); i++) {
                keys.add(torch.zeros(shape, options));
                values.add(torch.zeros(shape, options));
            }
        }
    }

    public int capacity() {
        return capacity;
    }

    @Override
    public KeyValues append(int layer, int start, Tensor newKeys, Tensor newValues) {
        long n = newKeys.size(0);
        if (start + n > capacity) {
            throw new IllegalStateException("KV store of " + capacity + " positions cannot take positions up to " + (start + n));
        }
        Tensor k = keys.get(layer);
        Tensor v = values.get(layer);
        k.narrow(0, start, n).copy_(newKeys);
        v.narrow(0, start, n).copy_(newValues);
        return new KeyValues(k.narrow(0, 0, start + n), v.narrow(0, 0, start + n));
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
