package io.trolserve.broker;

import static io.trolserve.broker.KafkaTestClients.consume;
import static io.trolserve.broker.KafkaTestClients.consumer;
import static io.trolserve.broker.KafkaTestClients.produce;
import static io.trolserve.broker.KafkaTestClients.producer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EmbeddedKafkaMain} as a child process: ready line, SIGKILL without losing acked records, SIGTERM exits 0. */
class EmbeddedKafkaMainTest {

    private static final String TOPIC = "crash-test";

    @TempDir
    Path tmp;

    // the test's own producer complains loudly once its broker is killed
    private static final java.util.logging.Logger CLIENT_LOGS = java.util.logging.Logger.getLogger("org.apache.kafka.clients");

    @BeforeAll
    static void quietClients() {
        BrokerLogging.quiet();
        CLIENT_LOGS.setLevel(Level.SEVERE);
    }

    @Test
    void everyAckedRecordSurvivesSigkillAndSigtermExitsZero() throws Exception {
        Path dataDir = tmp.resolve("kafka");
        List<String> pre = IntStream.range(0, 100).mapToObj(i -> "pre" + i).toList();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();

        // first life: produce and consume through the child, then kill it while records stream in
        try (Child first = Child.start(dataDir, tmp.resolve("first.log"), "--topics=" + TOPIC + ":4")) {
            produce(first.bootstrap, TOPIC, "pre", 100);
            try (KafkaConsumer<String, String> c = consumer(first.bootstrap, "g-crash")) {
                assertThat(consume(c, TOPIC, 100, Duration.ofSeconds(30)))
                        .extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(pre);
            }

            AtomicBoolean stop = new AtomicBoolean();
            KafkaProducer<String, String> producer = producer(first.bootstrap, Map.of(
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "3000",
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000",
                    ProducerConfig.LINGER_MS_CONFIG, "1"));
            Thread sender = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String value = "live" + i;
                    try {
                        producer.send(new ProducerRecord<>(TOPIC, "k" + i, value), (md, e) -> {
                            if (e == null) {
                                acked.add(value);
                            } else {
                                failed.incrementAndGet();
                            }
                        });
                        sent.incrementAndGet();
                    } catch (RuntimeException e) {
                        return; // broker gone, buffer full or producer closed
                    }
                    if (i % 20 == 19) {
                        sleep(2);
                    }
                }
            }, "crash-test-sender");
            sender.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (acked.size() < 500 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(acked).as("records acked before the kill").hasSizeGreaterThanOrEqualTo(500);

            first.process.destroyForcibly(); // SIGKILL, mid-stream
            assertThat(first.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(first.process.exitValue()).isEqualTo(137);
            stop.set(true);
            producer.close(Duration.ZERO); // fails what was not acked; callbacks have run afterwards
            sender.join(10_000);
        }
        Set<String> ackedAtKill = Set.copyOf(acked);
        System.out.printf("live records: %d sent, %d acked before SIGKILL, %d failed%n",
                sent.get(), ackedAtKill.size(), failed.get());

        // second life on the same data: every acked record is there, committed offsets too
        try (Child second = Child.start(dataDir, tmp.resolve("second.log"))) {
            Set<String> expected = new HashSet<>(pre);
            expected.addAll(ackedAtKill);
            try (KafkaConsumer<String, String> c = consumer(second.bootstrap, "g-verify")) {
                Set<String> seen = consumeUntil(c, expected, Duration.ofSeconds(30));
                assertThat(seen).containsAll(expected);
            }
            try (KafkaConsumer<String, String> c = consumer(second.bootstrap, "g-crash")) {
                Map<TopicPartition, OffsetAndMetadata> committed = c.committed(
                        IntStream.range(0, 4).mapToObj(p -> new TopicPartition(TOPIC, p)).collect(Collectors.toSet()),
                        Duration.ofSeconds(20));
                assertThat(committed.values()).doesNotContainNull();
                assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(100);
            }
            produce(second.bootstrap, "after-restart", "post", 20);
            try (KafkaConsumer<String, String> c = consumer(second.bootstrap, "g-post")) {
                assertThat(consume(c, "after-restart", 20, Duration.ofSeconds(30))).hasSize(20);
            }

            long t0 = System.nanoTime();
            second.process.destroy(); // SIGTERM
            assertThat(second.process.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
            System.out.printf("child exited %d ms after SIGTERM%n", (System.nanoTime() - t0) / 1_000_000);
            assertThat(second.process.exitValue()).as(second.describe()).isZero();
            second.stdoutDone.join(5_000);
            assertThat(second.stdout).as("stdout of the child").containsExactly(
                    EmbeddedKafkaMain.BOOTSTRAP_LINE_PREFIX + second.bootstrap);
            assertThat(Files.readString(second.log)).contains("stopped in");
        }
    }

    @Test
    void aStartFailureExitsOneWithTheReasonOnStderr() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path log = tmp.resolve("failed.log");
            Process p = new ProcessBuilder(Child.command(tmp.resolve("kafka-failed"),
                    "--port=" + taken.getLocalPort())).redirectError(log.toFile()).start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(stdout).isEmpty();
            assertThat(Files.readString(log)).contains("port " + taken.getLocalPort()).contains("already in use");
        }
    }

    @Test
    void optionsComeFromArgumentsAndSystemProperties() {
        Properties sys = new Properties();
        sys.setProperty("trol.kafka.embedded.port", "0");
        sys.setProperty("trol.kafka.embedded.partitions", "8");
        sys.setProperty("trol.kafka.embedded.host", "0.0.0.0");
        EmbeddedKafkaMain.Options o = EmbeddedKafkaMain.Options.parse(
                new String[] {"--data-dir=/x/y", "--host", "127.0.0.2", "--topics=a,b:2", "--log-level=info"}, sys);
        assertThat(o.dataDir).isEqualTo(Path.of("/x/y"));
        assertThat(o.host).isEqualTo("127.0.0.2");
        assertThat(o.port).isZero();
        assertThat(o.partitions).isEqualTo(8);
        assertThat(o.topicsWithPartitions()).containsExactly(Map.entry("a", 8), Map.entry("b", 2));
        assertThat(o.kafkaLogLevel).isEqualTo(Level.INFO);

        EmbeddedKafkaMain.Options defaults = EmbeddedKafkaMain.Options.parse(new String[0], new Properties());
        assertThat(defaults.port).isEqualTo(9092);
        assertThat(defaults.host).isEqualTo("127.0.0.1");
        assertThat(defaults.partitions).isEqualTo(EmbeddedKafkaBroker.DEFAULT_PARTITIONS);

        assertThatThrownBy(() -> EmbeddedKafkaMain.Options.parse(new String[] {"--port=x"}, new Properties()))
                .hasMessageContaining("--port");
        assertThatThrownBy(() -> EmbeddedKafkaMain.Options.parse(new String[] {"--nope=1"}, new Properties()))
                .hasMessageContaining("unknown option --nope");
    }

    private static Set<String> consumeUntil(KafkaConsumer<String, String> c, Set<String> expected, Duration timeout) {
        c.subscribe(List.of(TOPIC));
        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!seen.containsAll(expected) && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
        }
        return seen;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A running {@code EmbeddedKafkaMain} child: its process, bootstrap address, stdout lines and log file. */
    static final class Child implements AutoCloseable {
        final Process process;
        final Path log;
        final List<String> stdout = new CopyOnWriteArrayList<>();
        final Thread stdoutDone;
        volatile String bootstrap;

        private Child(Process process, Path log) {
            this.process = process;
            this.log = log;
            this.stdoutDone = new Thread(this::readStdout, "child-stdout-" + process.pid());
            this.stdoutDone.setDaemon(true);
            this.stdoutDone.start();
        }

        /** The child's command line; later arguments win, so {@code extraArgs} may replace {@code --port=0}. */
        static List<String> command(Path dataDir, String... extraArgs) {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                    EmbeddedKafkaMain.class.getName(),
                    "--data-dir=" + dataDir, "--host=127.0.0.1", "--port=0", "--partitions=4"));
            cmd.addAll(List.of(extraArgs));
            return cmd;
        }

        static Child start(Path dataDir, Path log, String... extraArgs) throws IOException, InterruptedException {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command(dataDir, extraArgs)).redirectError(log.toFile()).start();
            Child child = new Child(p, log);
            long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
            while (child.bootstrap == null) {
                if (!p.isAlive()) {
                    throw new AssertionError("EmbeddedKafkaMain exited with " + p.exitValue() + " before it was ready: "
                            + child.describe());
                }
                if (System.nanoTime() > deadline) {
                    child.close();
                    throw new AssertionError("EmbeddedKafkaMain not ready within 60 s: " + child.describe());
                }
                Thread.sleep(20);
            }
            System.out.printf("child %d ready at %s after %d ms%n", p.pid(), child.bootstrap,
                    (System.nanoTime() - t0) / 1_000_000);
            return child;
        }

        private void readStdout() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    stdout.add(line);
                    if (bootstrap == null && line.startsWith(EmbeddedKafkaMain.BOOTSTRAP_LINE_PREFIX)) {
                        bootstrap = line.substring(EmbeddedKafkaMain.BOOTSTRAP_LINE_PREFIX.length());
                    }
                }
            } catch (IOException e) {
                // process gone
            }
        }

        String describe() {
            String err;
            try {
                err = Files.readString(log);
            } catch (IOException e) {
                err = "(no log: " + e + ")";
            }
            return "stdout=" + stdout + "\nstderr:\n" + err;
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }
}
