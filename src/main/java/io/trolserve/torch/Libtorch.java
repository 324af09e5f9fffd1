package io.trolserve.torch;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.bytedeco.javacpp.Loader;

/**
 * The one place that prepares libtorch before any of its classes load.
 *
 * <p>Two settings must be in place before the first bytedeco class initialises, which is why
 * every entry point that touches tensors calls {@link #ensureLoaded()} first:
 * <ul>
 *   <li>{@code maxPhysicalBytes=0}: JavaCPP otherwise refuses allocations once the process RSS
 *       passes a limit derived from the heap size; memory-mapped weights count towards RSS, so a
 *       7B checkpoint would trip it. Our native memory is bounded by scoping instead
 *       ({@code PointerScope} per step), and the setting also halves per-op host overhead.</li>
 *   <li>all natives of the preset are extracted before the first {@code System.load}: on a first
 *       run JavaCPP extracts and loads {@code libtorch.so} before {@code libtorch_cpu.so} exists
 *       in its cache, so the dynamic linker resolves that dependency elsewhere; with a system
 *       libtorch installed (Debian's {@code python3-torch}) two libtorch copies end up in one
 *       process and it crashes in static initialisers.</li>
 * </ul>
 */
public final class Libtorch {

    private static volatile boolean loaded;
    private static final ThreadLocal<Boolean> COMPUTE_THREAD = ThreadLocal.withInitial(() -> false);

    private Libtorch() {
    }

    public static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (Libtorch.class) {
            if (loaded) {
                return;
            }
            if (System.getProperty("org.bytedeco.javacpp.maxPhysicalBytes") == null) {
                System.setProperty("org.bytedeco.javacpp.maxPhysicalBytes", "0");
            }
            try {
                for (String platform : new String[] {Loader.getPlatform() + "-gpu", Loader.getPlatform()}) {
                    String dir = "/org/bytedeco/pytorch/" + platform + "/";
                    if (Libtorch.class.getResource(dir) != null) {
                        Loader.cacheResources(dir);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot extract the libtorch native libraries", e);
            }
            try {
                Loader.load(org.bytedeco.pytorch.global.torch.class);
            } catch (UnsatisfiedLinkError e) {
                throw new IllegalStateException("libtorch's native libraries did not load (" + e.getMessage()
                        + "). A -Pgpu build needs the CUDA 13 and cuDNN 9 libraries on the library path", e);
            }
            loaded = true;
        }
    }

    /**
     * Worker threads OpenBLAS may use for one matmul (0 keeps its default, one per core). Small
     * models are faster with 1: their matmuls are too short to share, and idle BLAS workers spin
     * on the cores the Kafka clients need.
     */
    public static void setBlasThreads(int threads) {
        ensureLoaded();
        if (threads > 0) {
            Loader.load(org.bytedeco.openblas.global.openblas_full.class);
            org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads(threads);
        }
    }

    /**
     * Makes the calling thread a model thread: libtorch's own parallel loops run on it alone,
     * while OpenBLAS keeps one worker per core for the matmuls. Both pools busy-wait between
     * calls, and with both sized to the cores they starve each other: on 2 cores a tiny model's
     * prefill took 870 ms that way and 39 ms this way; hidden 1024 took 8.7 s against 6.1 s
     * (BENCHMARKS.md). OpenMP settings are per OS thread, hence once per thread.
     */
    public static void prepareComputeThread() {
        ensureLoaded();
        if (!COMPUTE_THREAD.get()) {
            org.bytedeco.pytorch.global.torch.set_num_threads(1);
            COMPUTE_THREAD.set(true);
        }
    }
}
