package io.trolserve.cli.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The service ({@code serve} of this very jar) as a child process against a given broker: used by
 * the Kafka benchmarks and the end-to-end tests, which need to measure it from outside or kill it
 * the way a machine failure would (SIGKILL) while the broker keeps what it accepted.
 */
public final class ServiceChild implements AutoCloseable {

    private final List<String> command;
    private final int httpPort;
    private final Path log;
    private Process process;

    /** @param jvmOptions extra {@code -D}/{@code -X} options, e.g. heap size or trol.* settings */
    public ServiceChild(Path jar, Path model, String bootstrap, Path log, List<String> jvmOptions) throws IOException {
        this.httpPort = freePort();
        this.log = log;
        command = new ArrayList<>(List.of(javaBin(), "-Dquarkus.http.port=" + httpPort, "-Dtrol.model.path=" + model,
                "-Dkafka.bootstrap.servers=" + bootstrap));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "serve"));
    }

    /** The jar this code runs from (target/quarkus-app/quarkus-run.jar when packaged). */
    public static Path thisJar() {
        try {
            Path app = Path.of(ServiceChild.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path quarkusApp = app.getParent().getParent();   // quarkus-app/app/trol-serve.jar
            Path runner = quarkusApp.resolve("quarkus-run.jar");
            if (Files.exists(runner)) {
                return runner;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the build layout
        }
        return Path.of("target/quarkus-app/quarkus-run.jar");
    }

    public ServiceChild start(Duration readyWithin) throws IOException, InterruptedException {
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + readyWithin.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + "; log:\n" + tail());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri("/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the service was not ready within " + readyWithin + "; log:\n" + tail());
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    public long pid() {
        return process.pid();
    }

    /** Resident and peak resident memory of the process in KiB, from /proc. */
    public long[] rssAndPeakKib() throws IOException {
        long rss = 0;
        long peak = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (line.startsWith("VmHWM:")) {
                peak = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new long[] {rss, peak};
    }

    /** SIGTERM and the graceful shutdown. @return the exit code */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no commit. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        if (alive()) {
            terminate();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
