package io.trolserve.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory, from /proc/self/status (Linux), in KiB. */
final class ProcessMemory {

    private ProcessMemory() {
    }

    /** Resident set size now (VmRSS). */
    static long rssKib() {
        return field("VmRSS:");
    }

    /** The highest resident set size since the process started (VmHWM), loading included. */
    static long peakKib() {
        return field("VmHWM:");
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
