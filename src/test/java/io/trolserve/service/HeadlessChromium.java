package io.trolserve.service;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium} in headless mode, one process per page load, each with a fresh
 * profile so that concurrent runs never hand their page to another browser.
 */
final class HeadlessChromium {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    private final Path binary;
    private final Path scratch;

    private HeadlessChromium(Path binary, Path scratch) {
        this.binary = binary;
        this.scratch = scratch;
    }

    /** Fails (never skips) without a browser: CI installs one, and a skipped browser test proves nothing. */
    static HeadlessChromium locate(Path scratch) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(dir, name);
                if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                    return new HeadlessChromium(candidate, scratch);
                }
            }
        }
        return fail("DashboardIT needs headless Chromium and found no 'chromium' on PATH ("
                + System.getenv("PATH") + "); install Debian's package: apt-get install chromium");
    }

    String dumpDom(URI page, int virtualSeconds) throws IOException, InterruptedException {
        return run(virtualSeconds, List.of("--dump-dom", page.toString()));
    }

    void screenshot(URI page, int virtualSeconds, Path png) throws IOException, InterruptedException {
        run(virtualSeconds, List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=1400,1000",
                "--hide-scrollbars", page.toString()));
    }

    /**
     * One retry, for a browser that hangs: now and then headless Chromium's virtual-time scheduler
     * never finishes its budget (seen once in about ten runs, with the service answering every
     * request). A second hang, or any other failure, fails the test.
     *
     * @return what the browser printed on stdout
     */
    private String run(int virtualSeconds, List<String> action) throws IOException, InterruptedException {
        try {
            return runOnce(virtualSeconds, action);
        } catch (BrowserHung first) {
            System.err.println(first.getMessage() + "\n-- trying once more");
            return runOnce(virtualSeconds, action);
        }
    }

    private static final class BrowserHung extends AssertionError {
        BrowserHung(String message) {
            super(message);
        }
    }

    private String runOnce(int virtualSeconds, List<String> action) throws IOException, InterruptedException {
        Path runDir = Files.createTempDirectory(scratch, "chromium-");
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                // no calls home: the CI machines' closed network refuses them, many at a time
                "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + runDir.resolve("profile"), "--virtual-time-budget=" + virtualSeconds * 1000));
        command.addAll(action);
        Path out = runDir.resolve("stdout");
        Path err = runDir.resolve("stderr");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            // a fetch that never ends would hold virtual time still forever
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            throw new BrowserHung("chromium did not finish within " + LIMIT + ": " + command + "\n" + tail(err));
        }
        if (p.exitValue() != 0) {
            fail("chromium exited with " + p.exitValue() + ": " + command + "\n" + tail(err));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
