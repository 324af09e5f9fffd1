package io.trolserve.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import io.trolserve.engine.RequestListener;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.TokenOutput;
import io.trolserve.messaging.Answers;
import io.trolserve.messaging.RequestPreparation;
import io.trolserve.messaging.contract.ContractJson;
import io.trolserve.messaging.contract.InvalidRequestException;
import io.trolserve.messaging.contract.TrolAnswer;
import io.trolserve.service.ServingStack;

/**
 * {@code generate --requests FILE.jsonl}: every line a {@code trol.requests} record, all of them
 * through the batching engine at once; one {@code trol.answers} line (plus tokenIds) per request is
 * printed as it finishes. A line that cannot become a request gets an error answer in its place.
 */
final class RequestsFileRun {

    private final ServingStack stack;
    private final String modelName;
    private final PrintStream out;

    RequestsFileRun(ServingStack stack, String modelName, PrintStream out) {
        this.stack = stack;
        this.modelName = modelName;
        this.out = out;
    }

    /** @return the number of answers printed */
    int run(Path file) throws IOException {
        long lines;
        try (var stream = Files.lines(file, StandardCharsets.UTF_8)) {
            lines = stream.filter(l -> !l.isBlank()).count();
        }
        CountDownLatch finished = new CountDownLatch((int) lines);
        RequestListener printer = new RequestListener() {
            @Override
            public void onToken(TokenOutput token) {
            }

            @Override
            public void onFinish(RequestOutput output) {
                print(Answers.of(output, modelName).withTokenIds(output.tokenIds()));
                finished.countDown();
            }
        };
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String fallbackId = "line-" + lineNumber;
                try {
                    RequestPreparation.Outcome outcome = stack.preparation().prepare(
                            stack.parser().parse(line.getBytes(StandardCharsets.UTF_8), fallbackId));
                    if (outcome instanceof RequestPreparation.Prepared p) {
                        stack.engine().submit(p.request(), printer);
                    } else if (outcome instanceof RequestPreparation.Rejected r) {
                        print(Answers.rejected(r.id(), modelName, r.code(), r.message()));
                        finished.countDown();
                    }
                } catch (InvalidRequestException e) {
                    print(Answers.rejected(fallbackId, modelName, e.code().wireName(), e.getMessage()));
                    finished.countDown();
                }
            }
            finished.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return (int) lines;
    }

    private synchronized void print(TrolAnswer answer) {
        out.println(ContractJson.toJson(answer));
        out.flush();
    }
}
