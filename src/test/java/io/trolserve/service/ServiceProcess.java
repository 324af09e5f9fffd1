package io.trolserve.service;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
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
 * The packaged service ({@code java -jar target/quarkus-app/quarkus-run.jar}) as a child process,
 * so that tests can kill it the way an operator's machine would (SIGTERM, SIGKILL) while the broker,
 * which lives in the test JVM, keeps everything it accepted.
 */
final class ServiceProcess implements AutoCloseable {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private final List<String> command;
    private final int httpPort;
    private final Path log;
    private Process process;

    ServiceProcess(Path model, String bootstrap, Path log, String... extraProperties) throws IOException {
        this.httpPort = freePort();
        this.log = log;
        command = new ArrayList<>(List.of(javaBin(), "-Xmx1g",
                "-Dquarkus.http.port=" + httpPort,
                "-Dtrol.model.path=" + model,
                "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dtrol.messaging.shutdown-grace=PT20S"));
        command.addAll(List.of(extraProperties));
        command.addAll(List.of("-jar", JAR.toString(), "serve"));
    }

    /** Writes a micro checkpoint with the jar itself (this JVM never loads libtorch). */
    static Path initTiny(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(javaBin(), "-jar", JAR.toString(), "init-tiny", dir.toString(), "--preset", "micro")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("init-tiny failed");
        }
        return dir;
    }

    ServiceProcess start() throws IOException, InterruptedException {
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitReady(Duration.ofSeconds(120));
        return this;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + "; log:\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the service was not ready within " + timeout + "; log:\n" + tail());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    /** SIGTERM, then wait for the graceful shutdown. @return the exit code */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no commit, nothing. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    String tail() throws IOException {
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

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
