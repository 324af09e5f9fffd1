package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.RequestListener;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.TokenOutput;
import io.trolserve.messaging.RequestPreparation;
import io.trolserve.messaging.contract.InvalidRequestException;

/** A {@code trol.requests} record through a serving stack, as the Kafka intake hands one over. */
final class StackRequests {

    private StackRequests() {
    }

    /** The record parsed and prepared; it must be accepted. */
    static EngineRequest prepared(ServingStack stack, String record) throws InvalidRequestException {
        RequestPreparation.Outcome outcome = stack.preparation().prepare(
                stack.parser().parse(record.getBytes(StandardCharsets.UTF_8), null));
        assertThat(outcome).isInstanceOf(RequestPreparation.Prepared.class);
        return ((RequestPreparation.Prepared) outcome).request();
    }

    /** The engine's output for a prepared request, waited for up to {@code seconds}. */
    static RequestOutput run(ServingStack stack, EngineRequest request, int seconds) throws Exception {
        CompletableFuture<RequestOutput> finished = new CompletableFuture<>();
        stack.engine().submit(request, new RequestListener() {
            @Override
            public void onToken(TokenOutput token) {
            }

            @Override
            public void onFinish(RequestOutput output) {
                finished.complete(output);
            }
        });
        return finished.get(seconds, TimeUnit.SECONDS);
    }

    /** Prepared, then run: the answer. */
    static RequestOutput answer(ServingStack stack, String record) throws Exception {
        return run(stack, prepared(stack, record), 60);
    }
}
