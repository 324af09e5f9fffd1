package io.trolserve.cli.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.trolserve.broker.EmbeddedKafkaBroker;
import io.trolserve.messaging.KafkaSettings;
import io.trolserve.service.ModelChoice;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench kafka}: the service through Kafka on loopback against the engine alone, on the same
 * workload at the same arrival rate; then a flood of requests produced at once. Starts its own
 * embedded broker and runs the service as a child process of this jar.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "Requests/s and end-to-end latency through Kafka next to the engine alone; then a flood.")
class KafkaBenchCommand extends BenchCommand.ModelBench implements Callable<Integer> {

    @Option(names = "--rate", defaultValue = "20", description = "Arrivals per second (default ${DEFAULT-VALUE})") double rate;
    @Option(names = "--requests", defaultValue = "600") int requests;
    @Option(names = "--warmup", defaultValue = "200", description = "Requests run (and not measured) before each measured run")
    int warmup;
    @Option(names = "--flood", defaultValue = "20000", description = "Requests produced at once; 0 skips the flood") int flood;
    @Option(names = "--service-heap", defaultValue = "512m") String serviceHeap;
    @Option(names = "--service-option", description = "Extra JVM option for the service (repeatable)")
    List<String> serviceOptions = new ArrayList<>();

    @Inject
    KafkaSettings kafka;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        ModelChoice choice = choice();
        Path model = choice.dir();
        Path work = Files.createTempDirectory("trol-kafka-bench-");
        List<byte[]> workload = KafkaBench.workload(requests, "bench");
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + serviceHeap, "-Xms" + serviceHeap,
                "-Dtrol.blas-threads=" + settings.blasThreads()));
        jvm.addAll(serviceOptions);
        out.printf("workload: %d short text-only questions, 8-token answers, %.1f arrivals/s, after %d warm-up requests;"
                + " model %s%n", requests, rate, warmup, model);
        EndToEndLatency alone = EngineAloneRun.engineAlone(choice, KafkaBench.workload(warmup, "warmup-engine"),
                workload, rate);
        out.println("engine alone     " + alone);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), "127.0.0.1", 0)) {
            KafkaSettings.ConfiguredTopics t = kafka.topics();
            broker.createTopics(Map.of(t.requests(), 4, t.answers(), 4, t.tokens(), 4, t.requestsDlq(), 1));
            try (ServiceChild service = new ServiceChild(ServiceChild.thisJar(), model, broker.bootstrapServers(),
                    work.resolve("service.log"), jvm)) {
                service.start(Duration.ofMinutes(2));
                KafkaBench bench = new KafkaBench(broker.bootstrapServers(), t);
                out.println("plain Kafka hop  " + bench.plainHop(requests, rate)
                        + "  (producer -> broker -> consumer, no service: the floor of each of the two hops below)");
                bench.throughKafka(KafkaBench.workload(warmup, "warmup-kafka"), rate);
                EndToEndLatency piped = bench.throughKafka(workload, rate);
                out.println("through Kafka    " + piped);
                out.println("  of which outside the service's engine: " + bench.transportShare(piped.seconds()));
                out.printf("Kafka adds %.2f ms at p50 and %.2f ms at p99%n", piped.p50Ms() - alone.p50Ms(),
                        piped.p99Ms() - alone.p99Ms());
                if (flood > 0) {
                    out.println(bench.flood(KafkaBench.workload(flood, "flood"), service, serviceHeap));
                }
            }
        }
        return 0;
    }
}
