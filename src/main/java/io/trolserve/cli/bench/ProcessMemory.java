package io.trolserve.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory, from /proc/self/status (Linux), in KiB; and a way to start the
 * peak again from the current RSS, so that one process can report the peak of several runs in turn.
 */
final class ProcessMemory {

    private ProcessMemory() {
    }

    /** Resident set size now (VmRSS). */
    static long rssKib() {
        return field("VmRSS:");
    }

    /** The highest resident set size since the process started or {@link #resetPeak()} (VmHWM), loading included. */
    static long peakKib() {
        return field("VmHWM:");
    }

    /** Starts the peak again from what is resident now ({@code 5} to clear_refs); false where the kernel refuses. */
    static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static long field(String name) {
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
