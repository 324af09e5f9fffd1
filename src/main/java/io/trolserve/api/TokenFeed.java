package io.trolserve.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Multi;
import io.trolserve.messaging.contract.ContractJson;
import io.trolserve.messaging.contract.TokenEvent;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Token events by request id, for the server-sent-event stream. Every instance reads all of
 * {@code trol.tokens}; the tokens of the most recent requests are kept (bounded, oldest request
 * dropped first) so that a client who subscribes after generation started still gets every token.
 */
@ApplicationScoped
public class TokenFeed {

    static final int MAX_TRACKED_REQUESTS = 4096;
    static final int MAX_TOKENS_PER_REQUEST = 8192;

    private final LinkedHashMap<String, Stream> streams = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Stream> eldest) {
            return size() > MAX_TRACKED_REQUESTS;
        }
    };

    /** One request's tokens so far and who listens. */
    private static final class Stream {
        final List<TokenEvent> tokens = new ArrayList<>();
        final List<Consumer<TokenEvent>> listeners = new ArrayList<>();
        boolean complete;
    }

    // cheap in-memory work: run it on the connector's thread, not the worker pool, which shuts
    // down before the consumers stop (RejectedExecutionException on every late record otherwise)
    @Incoming("tokens-in")
    @NonBlocking
    public void onToken(byte[] value) {
        TokenEvent token;
        try {
            token = ContractJson.readToken(value);
        } catch (IllegalArgumentException e) {
            return;
        }
        List<Consumer<TokenEvent>> listeners;
        synchronized (streams) {
            Stream s = streams.computeIfAbsent(token.id(), k -> new Stream());
            if (s.complete || s.tokens.size() >= MAX_TOKENS_PER_REQUEST || alreadyHas(s, token)) {
                return;   // duplicates appear when a request is redone after a crash
            }
            s.tokens.add(token);
            s.complete = token.last();
            listeners = List.copyOf(s.listeners);
        }
        listeners.forEach(l -> l.accept(token));
    }

    private static boolean alreadyHas(Stream s, TokenEvent token) {
        return !s.tokens.isEmpty() && s.tokens.get(s.tokens.size() - 1).index() >= token.index();
    }

    /** The request's tokens from the first, live until its last one. */
    Multi<TokenEvent> stream(String id) {
        return Multi.createFrom().emitter(emitter -> {
            Consumer<TokenEvent> live = token -> {
                emitter.emit(token);
                if (token.last()) {
                    emitter.complete();
                }
            };
            // replayed under the lock, so a live token cannot overtake the ones before it
            synchronized (streams) {
                Stream s = streams.computeIfAbsent(id, k -> new Stream());
                s.tokens.forEach(emitter::emit);
                if (s.complete) {
                    emitter.complete();
                    return;
                }
                s.listeners.add(live);
                emitter.onTermination(() -> {
                    synchronized (streams) {
                        s.listeners.remove(live);
                    }
                });
            }
        });
    }
}
