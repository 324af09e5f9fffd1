package io.trolserve.service;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.trolserve.cli.bench.ServiceChild;

/** The packaged service as a child process for the end-to-end tests (see {@link ServiceChild}). */
final class ServiceProcess implements AutoCloseable {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private final ServiceChild child;

    ServiceProcess(Path model, String bootstrap, Path log, String... extraProperties) throws IOException {
        List<String> options = new ArrayList<>(List.of("-Xmx1g", "-Dtrol.messaging.shutdown-grace=PT20S"));
        options.addAll(List.of(extraProperties));
        child = new ServiceChild(JAR, model, bootstrap, log, options);
    }

    /** Writes a micro checkpoint with the jar itself (the test JVM never loads libtorch). */
    static Path initTiny(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "init-tiny", dir.toString(), "--preset", "micro")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("init-tiny failed");
        }
        return dir;
    }

    ServiceProcess start() throws IOException, InterruptedException {
        child.start(Duration.ofSeconds(120));
        return this;
    }

    java.net.URI uri(String path) {
        return child.uri(path);
    }

    int terminate() throws InterruptedException {
        return child.terminate();
    }

    void kill() throws InterruptedException {
        child.kill();
    }

    @Override
    public void close() throws InterruptedException {
        child.close();
    }
}
