package io.trolserve.messaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.header.Header;

import io.trolserve.engine.EngineClosedException;
import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.FinishReason;
import io.trolserve.engine.RequestListener;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.TokenOutput;
import io.trolserve.messaging.contract.RequestLimits;
import io.trolserve.messaging.contract.RequestParser;
import io.trolserve.messaging.contract.TokenEvent;
import io.trolserve.messaging.contract.TrolAnswer;
import io.trolserve.messaging.contract.TrolRequest;

/** Fakes around {@link IntakeCore}: a serving side, an outlet, settlements and observations, all in memory. */
final class IntakeFakes {

    private IntakeFakes() {
    }

    /** Prepares every question except those saying "reject" (refused) or "explode" (a bug); records submissions. */
    static final class Serving implements ServingPort {
        final RequestParser parser;
        final List<EngineRequest> submitted = new ArrayList<>();
        final List<RequestListener> listeners = new ArrayList<>();
        final List<String> unknownFields = new ArrayList<>();
        boolean engineClosed;
        boolean stopping;

        Serving() {
            parser = new RequestParser(RequestLimits.DEFAULTS, unknownFields::add);
        }

        @Override
        public RequestParser parser() {
            return parser;
        }

        @Override
        public RequestPreparation.Outcome prepare(TrolRequest r) {
            if (r.question().contains("explode")) {
                throw new IllegalStateException("a bug in preparation");
            }
            if (r.question().contains("reject")) {
                return new RequestPreparation.Rejected(r.id(), "corrupt-image", "not an image");
            }
            return new RequestPreparation.Prepared(new EngineRequest(r.id(), new int[] {1, 2, 3}, List.of(),
                    RequestPreparation.sampling(r.params()), r.deadline(), false));
        }

        @Override
        public void submit(EngineRequest request, RequestListener listener) {
            if (engineClosed) {
                throw new EngineClosedException();
            }
            submitted.add(request);
            listeners.add(listener);
        }

        @Override
        public String modelName() {
            return "m";
        }

        @Override
        public boolean stopping() {
            return stopping;
        }

        /** The engine streams one token and ends the i-th submitted request. */
        void finish(int i, FinishReason reason) {
            EngineRequest r = submitted.get(i);
            listeners.get(i).onToken(new TokenOutput(r.id(), 0, 7, "x", 1L, 1.0, 1, true));
            listeners.get(i).onFinish(new RequestOutput(r.id(), new int[] {7}, "x", reason,
                    reason == FinishReason.ERROR ? "boom" : null, 3, 0,
                    new RequestOutput.RequestTimings(1, 0, 1, 1.0, 2, null), List.of()));
        }
    }

    /** Records what is published; each kind of send can be told to fail its next calls. */
    static final class Outlet implements RecordOutlet {
        record Sent<T>(T record, List<Header> headers) {
        }

        final List<Sent<TrolAnswer>> answers = new ArrayList<>();
        final List<Sent<TokenEvent>> tokens = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        final Deque<Throwable> answerFailures = new ArrayDeque<>();
        final Deque<Throwable> deadLetterFailures = new ArrayDeque<>();
        int answerCalls;
        int deadLetterCalls;

        @Override
        public CompletionStage<Void> answer(TrolAnswer answer, List<Header> headers) {
            answerCalls++;
            if (!answerFailures.isEmpty()) {
                return CompletableFuture.failedFuture(answerFailures.pop());
            }
            answers.add(new Sent<>(answer, headers));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> token(TokenEvent token, List<Header> headers) {
            tokens.add(new Sent<>(token, headers));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> deadLetter(DeadLetter letter) {
            deadLetterCalls++;
            if (!deadLetterFailures.isEmpty()) {
                return CompletableFuture.failedFuture(deadLetterFailures.pop());
            }
            deadLetters.add(letter);
            return CompletableFuture.completedFuture(null);
        }

        String header(DeadLetter letter, String key) {
            for (Header h : letter.headers()) {
                if (h.key().equals(key)) {
                    return new String(h.value(), StandardCharsets.UTF_8);
                }
            }
            return null;
        }
    }

    /** Counts how a record was settled; more than one settlement is a bug the tests assert against. */
    static final class Settlement implements RecordSettlement {
        int acknowledged;
        int leftUncommitted;

        @Override
        public void acknowledge() {
            acknowledged++;
        }

        @Override
        public void leaveUncommitted() {
            leftUncommitted++;
        }

        int settlements() {
            return acknowledged + leftUncommitted;
        }
    }

    static final class Observer implements IntakeObserver {
        final List<String> deadLettered = new ArrayList<>();
        final List<Skip> skipped = new ArrayList<>();
        int tokens;
        int finished;

        @Override
        public void token(TokenOutput token) {
            tokens++;
        }

        @Override
        public void finished(RequestOutput output) {
            finished++;
        }

        @Override
        public void deadLettered(String errorCode) {
            deadLettered.add(errorCode);
        }

        @Override
        public void skipped(Skip reason) {
            skipped.add(reason);
        }
    }

    static IncomingRecord record(long offset, String key, String value, List<Header> headers) {
        return new IncomingRecord(Topics.REQUESTS, 0, offset, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers);
    }

    static IncomingRecord record(long offset, String key, String value) {
        return record(offset, key, value, List.of());
    }
}
