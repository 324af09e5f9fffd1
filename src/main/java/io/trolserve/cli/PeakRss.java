package io.trolserve.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's peak resident set (Linux {@code VmHWM}), and a way to start it again from the
 * current RSS ({@code 5} written to {@code /proc/self/clear_refs}), so that one process can report
 * the peak of each of several runs in turn.
 */
final class PeakRss {

    private PeakRss() {
    }

    /** Starts the peak again from what is resident now; false where the kernel does not allow it. */
    static boolean reset() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Peak resident set since start-up or the last {@link #reset()}, in KiB. */
    static long peakKib() {
        return statusField("VmHWM:");
    }

    private static long statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            throw new IllegalStateException("no " + name + " line in /proc/self/status");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
