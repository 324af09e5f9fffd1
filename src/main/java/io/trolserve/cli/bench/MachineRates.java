package io.trolserve.cli.bench;

import java.util.Arrays;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.model.Placement;
import io.trolserve.torch.Libtorch;

/**
 * What this machine's device does per second, measured on the spot with the engine's own thread
 * set-up, so that benchmarks can state their floors: a compute-bound workload cannot beat its
 * FLOPs divided by the GEMM rate, a decode step cannot beat the weight bytes divided by the
 * memory bandwidth. Medians over a few repetitions after a warm-up; the GEMM rate is the best
 * of a square and a model-shaped product, so the floor it gives is optimistic, as a floor must be.
 */
final class MachineRates {

    private static final int REPS = 5;

    /**
     * @param gemmFlopsPerSecond   the better of the two matmul rates in the placement's dtype: the floor's
     * @param shapedFlopsPerSecond the rate of a model-shaped product, (512, hidden) x (hidden, intermediate)
     * @param bytesPerSecond       read + write streaming rate
     */
    record Rates(double gemmFlopsPerSecond, double shapedFlopsPerSecond, double bytesPerSecond) {

        double shapedGflops() {
            return shapedFlopsPerSecond / 1e9;
        }

        double gemmGflops() {
            return gemmFlopsPerSecond / 1e9;
        }

        double bandwidthGBps() {
            return bytesPerSecond / 1e9;
        }

        /** Seconds a workload of this many FLOPs takes at the GEMM rate. */
        double computeSeconds(double flops) {
            return flops / gemmFlopsPerSecond;
        }

        /** Seconds it takes to stream this many bytes once. */
        double streamSeconds(double bytes) {
            return bytes / bytesPerSecond;
        }
    }

    private MachineRates() {
    }

    /** Measures both rates; {@code hidden} and {@code intermediate} give the model-shaped product. */
    static Rates measure(Placement placement, int hidden, int intermediate) {
        Libtorch.prepareComputeThread();
        try (InferenceMode guard = new InferenceMode()) {
            double square = gemm(placement, 2048, 2048, 2048);
            double shaped = gemm(placement, 512, hidden, intermediate);
            return new Rates(Math.max(square, shaped), shaped, bandwidth(placement, 256L << 20));
        }
    }

    /** FLOP/s of an (m, k) x (k, n) matmul. */
    private static double gemm(Placement placement, int m, int k, int n) {
        try (PointerScope scope = new PointerScope()) {
            Tensor a = torch.randn(new long[] {m, k}, options(placement));
            Tensor b = torch.randn(new long[] {k, n}, options(placement));
            double seconds = medianSeconds(() -> settle(torch.matmul(a, b)));
            return 2.0 * m * k * n / seconds;
        }
    }

    /** Bytes per second of a copy between two buffers of this size (read once, written once). */
    private static double bandwidth(Placement placement, long bytes) {
        try (PointerScope scope = new PointerScope()) {
            Tensor from = torch.randn(new long[] {bytes / 4}, options(placement));   // 2 or 4 bytes an element
            Tensor to = torch.empty_like(from);
            double seconds = medianSeconds(() -> settle(to.copy_(from)));
            return 2.0 * from.nbytes() / seconds;
        }
    }

    /** Options in the placement's dtype and device; made inside the caller's scope, which frees them. */
    private static TensorOptions options(Placement placement) {
        Device device = placement.device();
        return new TensorOptions(placement.scalarType()).device(new DeviceOptional(device));
    }

    /** Waits for the device to finish the tensor (a CUDA op only queues work). */
    private static void settle(Tensor t) {
        if (t.is_cuda()) {
            t.select(0, 0).select(0, 0).cpu().close();
        }
    }

    private static double medianSeconds(Runnable op) {
        op.run();   // warm-up: first-touch pages, kernel selection
        double[] seconds = new double[REPS];
        for (int i = 0; i < REPS; i++) {
            long start = System.nanoTime();
            try (PointerScope scope = new PointerScope()) {
                op.run();
            }
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds[REPS / 2];
    }
}
