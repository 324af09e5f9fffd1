package io.trolserve.model.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * One tensor as a checkpoint file stores it: a view (shape, stride, offset, all in elements) into a
 * storage that other tensors may share. {@code storage} is the whole storage record, little-endian and
 * read-only; tensors that share a storage in the file share these bytes in memory too.
 *
 * <p>The constructor checks that the view stays inside the storage, so {@link #contiguousBytes()} and
 * {@link #toFloatArray()} never read out of bounds. Arrays are copied in and out; equality is identity.
 */
public record RawTensor(
        DType dtype, long[] shape, long[] stride, long storageOffset, String storageKey, ByteBuffer storage) {

    public RawTensor {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(storageKey, "storageKey");
        Objects.requireNonNull(storage, "storage");
        shape = Objects.requireNonNull(shape, "shape").clone();
        stride = Objects.requireNonNull(stride, "stride").clone();
        long needed = requiredStorageElements(shape, stride, storageOffset);
        long held = storage.remaining() / dtype.byteSize();
        if (needed > held) {
            throw new IllegalArgumentException("view " + Arrays.toString(shape) + " stride " + Arrays.toString(stride)
                    + " offset " + storageOffset + " needs " + needed + " elements of storage '" + storageKey
                    + "' but it holds " + held);
        }
        storage = storage.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public long[] stride() {
        return stride.clone();
    }

    public long numel() {
        return numel(shape);
    }

    /** The tensor's own elements in row-major order: what {@code tensor.contiguous()} would hold. */
    public byte[] contiguousBytes() {
        int size = dtype.byteSize();
        byte[] out = new byte[Math.toIntExact(Math.multiplyExact(numel(), size))];
        int[] next = {0};
        forEachStorageIndex(index -> {
            storage.get(Math.toIntExact(index * size), out, next[0], size);
            next[0] += size;
        });
        return out;
    }

    /** The elements in row-major order, widened to float32; F16 and BF16 widen exactly. */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(numel())];
        int[] next = {0};
        forEachStorageIndex(index -> out[next[0]++] = readFloat(Math.toIntExact(index * dtype.byteSize())));
        return out;
    }

    @Override
    public String toString() {
        return "RawTensor[" + dtype + " " + Arrays.toString(shape) + " stride " + Arrays.toString(stride)
                + " offset " + storageOffset + " storage '" + storageKey + "']";
    }

    /**
     * Storage elements a view touches: 1 + the index of its last element, 0 for an empty tensor.
     * Throws IllegalArgumentException for negative sizes or arithmetic that overflows a long.
     */
    public static long requiredStorageElements(long[] shape, long[] stride, long storageOffset) {
        if (shape.length != stride.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and stride "
                    + Arrays.toString(stride) + " differ in rank");
        }
        if (storageOffset < 0) {
            throw new IllegalArgumentException("negative storage offset " + storageOffset);
        }
        try {
            long last = storageOffset;
            for (int d = 0; d < shape.length; d++) {
                if (shape[d] < 0 || stride[d] < 0) {
                    throw new IllegalArgumentException("negative size or stride in shape "
                            + Arrays.toString(shape) + " stride " + Arrays.toString(stride));
                }
                if (shape[d] == 0) {
                    return 0;
                }
                last = Math.addExact(last, Math.multiplyExact(shape[d] - 1, stride[d]));
            }
            numel(shape); // the element count itself must fit a long too
            return last + 1;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large", e);
        }
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long dim : shape) {
            n = Math.multiplyExact(n, dim);
        }
        return n;
    }

    /** Visits the storage index of every element in row-major order: an odometer, last dim fastest. */
    private void forEachStorageIndex(LongConsumer action) {
        long count = numel();
        long[] position = new long[shape.length];
        long index = storageOffset;
        for (long i = 0; i < count; i++) {
            action.accept(index);
            for (int d = shape.length - 1; d >= 0; d--) {
                position[d]++;
                index += stride[d];
                if (position[d] < shape[d]) {
                    break;
                }
                index -= stride[d] * shape[d];
                position[d] = 0;
            }
        }
    }

    private float readFloat(int byteIndex) {
        return switch (dtype) {
            case F32 -> storage.getFloat(byteIndex);
            case F16 -> halfToFloat(storage.getShort(byteIndex));
            case BF16 -> Float.intBitsToFloat((storage.getShort(byteIndex) & 0xffff) << 16);
        };
    }

    /** IEEE binary16 to binary32; exact for every input (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) { // infinity or NaN, payload kept
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) { // zero or subnormal: mantissa * 2^-24, exact in float
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
