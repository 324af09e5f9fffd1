package io.trolserve.vision;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Run by {@link DecodeMemoryTest} in a JVM of its own, whose heap limit is then real: decodes a
 * side x side 16-bit RGBA PNG on {@code count} threads at once (the same bytes: what matters is
 * that each decode needs the full raster), through one {@link DecodeBudget}, and prints one line
 * per decode, the pixels left in the budget afterwards, and a last line with the peak heap.
 *
 * <pre>  args: count side budgetPixels</pre>
 */
public final class HugeDecodesChild {

    private HugeDecodesChild() {}

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        int side = Integer.parseInt(args[1]);
        DecodeBudget budget = new DecodeBudget(Long.parseLong(args[2]));
        DecodeLimits limits = new DecodeLimits((long) side * side, Duration.ofMinutes(5), budget);
        byte[] png = HugePngs.rgba16(side, side, 1);
        ExecutorService pool = Executors.newFixedThreadPool(count);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            results.add(pool.submit(() -> decode(png, limits)));
        }
        for (Future<String> r : results) {
            System.out.println(r.get());
        }
        pool.shutdown();
        long peak = 0;
        for (MemoryPoolMXBean heapPool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (heapPool.getType() == MemoryType.HEAP) {
                peak += heapPool.getPeakUsage().getUsed(); // G1's pools peak apart: an upper bound
            }
        }
        System.out.println("budget-left " + budget.available());
        System.out.println("peak-heap-bytes " + peak);
    }

    private static String decode(byte[] png, DecodeLimits limits) {
        long started = System.nanoTime();
        try {
            DecodedImage image = ImageDecoder.decode(png, limits, 490);
            return String.format("decoded %d bytes to %dx%d in %.1f s", png.length, image.width(), image.height(),
                    (System.nanoTime() - started) / 1e9);
        } catch (ImageDecodeException e) {
            return "refused " + e.wireName() + ": " + e.getMessage();
        }
    }
}
