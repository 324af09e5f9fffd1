package io.trolserve.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The crash, replayed: six 8192 x 8192 16-bit RGBA PNGs (0.8 MB each, 512 MiB of ImageIO
 * raster each) decoded on six threads at once in a JVM with {@code -Xmx2g
 * -XX:+ExitOnOutOfMemoryError}, through the default budget of 64 Mi pixels in flight. Without the
 * budget that JVM exits on OutOfMemoryError (three rasters do not fit); with it every image
 * decodes and the JVM lives. A child JVM, so that the heap limit is real.
 */
class DecodeMemoryTest {

    private static final int IMAGES = 6;
    private static final int SIDE = 8192;
    private static final long DEFAULT_BUDGET = 67_108_864; // trol.messaging.max-decoding-pixels

    @Test
    void sixHugeImagesAtOnceDecodeWithinATwoGigabyteHeap() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx2g", "-XX:+ExitOnOutOfMemoryError", "-cp",
                System.getProperty("java.class.path"), HugeDecodesChild.class.getName(),
                Integer.toString(IMAGES), Integer.toString(SIDE), Long.toString(DEFAULT_BUDGET))
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();

        assertThat(child.exitValue()).as(output).isZero();
        List<String> lines = output.lines().toList();
        assertThat(lines.stream().filter(l -> l.startsWith("decoded")).count()).as(output).isEqualTo(IMAGES);
        assertThat(lines).as(output).contains("budget-left " + DEFAULT_BUDGET);
        long peak = Long.parseLong(lines.get(lines.size() - 1).replace("peak-heap-bytes ", ""));
        System.out.printf("%d decodes of %dx%d 16-bit RGBA: peak heap %d MiB of 2048%n", IMAGES, SIDE, SIDE, peak >> 20);
    }
}
