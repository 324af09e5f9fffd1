package io.trolserve.cli.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import io.trolserve.engine.EngineConfig;
import io.trolserve.engine.RequestListener;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.TokenOutput;
import io.trolserve.messaging.RequestPreparation;
import io.trolserve.service.IntakePolicy;
import io.trolserve.service.ModelChoice;
import io.trolserve.service.ServingStack;

/**
 * The baseline of {@code bench kafka}: its requests parsed, prepared and run by an engine in this
 * JVM, with no Kafka in between, so the difference to the run through Kafka is the transport's.
 */
final class EngineAloneRun {

    private EngineAloneRun() {
    }

    /** The same requests, parsed and prepared the same way, handed straight to an engine in this JVM. */
    static EndToEndLatency engineAlone(ModelChoice model, List<byte[]> warmup, List<byte[]> workload, double rate)
            throws Exception {
        try (ServingStack stack = ServingStack.start(model, m -> EngineConfig.defaults(4096),
                IntakePolicy.localTool(1L << 26))) {
            submitAll(stack, warmup, rate);
            return submitAll(stack, workload, rate);
        }
    }

    private static EndToEndLatency submitAll(ServingStack stack, List<byte[]> workload, double rate) throws Exception {
        Map<String, Long> sent = new ConcurrentHashMap<>();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(workload.size());
        RequestListener listener = new RequestListener() {
            @Override
            public void onToken(TokenOutput token) {
            }

            @Override
            public void onFinish(RequestOutput output) {
                latencies.add((System.nanoTime() - sent.get(output.requestId())) / 1e6);
                done.countDown();
            }
        };
        long start = System.nanoTime();
        for (int i = 0; i < workload.size(); i++) {
            KafkaBench.pace(start, i, rate);
            long t = System.nanoTime();
            RequestPreparation.Prepared p = (RequestPreparation.Prepared) stack.preparation()
                    .prepare(stack.parser().parse(workload.get(i), null));
            sent.put(p.request().id(), t);
            stack.engine().submit(p.request(), listener);
        }
        done.await();
        return EndToEndLatency.of(latencies, (System.nanoTime() - start) / 1e9);
    }
}
