package io.trolserve.tiny;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.trolserve.model.CheckpointLayout;
import io.trolserve.model.checkpoint.DType;

/**
 * Writes {@code trol_gating.pt} the way the official code's file is laid out: a state dict of L
 * {@code "{i}.weight"} / {@code "{i}.bias"} entries that all point at ONE weight storage and ONE
 * bias storage, because the official ModuleList repeats a single shared Linear.
 */
final class TinyGates {

    /** |bias| large enough that tanh rounds to exactly +-1 in float32, so s is exactly 0 or 1. */
    private static final float SATURATING_BIAS = 20f;

    private TinyGates() {
    }

    static void write(Path file, TinyCheckpointSpec spec) throws IOException {
        write(file, spec.hiddenSize(), spec.numLayers(), spec.gate(), spec.seed(), DType.F32);
    }

    /**
     * @param dtype the storages' element type: the published files hold {@code BFloat16Storage}
     *              (docs/TROL_3_8B.md §1.4); InternLM2's tiny checkpoints keep float32
     */
    static void write(Path file, int h, int layers, TinyCheckpointSpec.Gate gate, long seed, DType dtype)
            throws IOException {
        float[] weight = new float[h];
        float bias;
        switch (gate) {
            case CLOSED -> bias = -SATURATING_BIAS;
            case OPEN -> bias = SATURATING_BIAS;
            default -> {
                Random random = new Random(seed * 31 + 7);
                for (int i = 0; i < h; i++) {
                    weight[i] = (float) (random.nextGaussian() / Math.sqrt(h));
                }
                bias = (float) (0.1 * random.nextGaussian());
            }
        }
        writeShared(file, weight, bias, layers, dtype);
    }

    /** L entries that all point at one weight storage and one bias storage. */
    static void writeShared(Path file, float[] weight, float bias, int layers, DType dtype) throws IOException {
        int h = weight.length;
        List<TorchSaveWriter.Storage> storages = List.of(
                new TorchSaveWriter.Storage("0", dtype, bytes(TinyCheckpointWriter.encode(weight, dtype))),
                new TorchSaveWriter.Storage("1", dtype, bytes(TinyCheckpointWriter.encode(new float[] {bias}, dtype))));
        List<TorchSaveWriter.Entry> entries = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            entries.add(TorchSaveWriter.Entry.contiguous(CheckpointLayout.gateWeight(i), "0", 1, h));
            entries.add(TorchSaveWriter.Entry.contiguous(CheckpointLayout.gateBias(i), "1", 1));
        }
        TorchSaveWriter.write(file, storages, entries);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
