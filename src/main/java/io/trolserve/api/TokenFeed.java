package io.trolserve.api;

import java.util.List;
import java.util.function.Consumer;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.trolserve.messaging.Topics;
import io.trolserve.messaging.contract.ContractJson;
import io.trolserve.messaging.contract.TokenEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Token events by request id, for the server-sent-event stream. Every instance reads all of
 * {@code trol.tokens}; what a late subscriber is replayed is kept by {@link TokenReplay}, within
 * {@code trol.api.token-replay-bytes}.
 */
@ApplicationScoped
public class TokenFeed {

    private final TokenReplay replay;

    @Inject
    TokenFeed(ApiSettings settings) {
        replay = new TokenReplay(settings.tokenReplayBytes());
    }

    // cheap in-memory work: run it on the connector's thread, not the worker pool, which shuts
    // down before the consumers stop (RejectedExecutionException on every late record otherwise)
    @Incoming(Topics.REST_TOKENS)
    @NonBlocking
    public void onToken(byte[] value) {
        TokenEvent token;
        try {
            token = ContractJson.readToken(value);
        } catch (IllegalArgumentException e) {
            return;
        }
        List<Consumer<TokenEvent>> listeners;
        synchronized (replay) {
            listeners = replay.add(token, value.length);
        }
        listeners.forEach(l -> l.accept(token));
    }

    /** What a GET of a stream gets: the outcome, and the tokens when subscribed. */
    record Opened(TokenReplay.Outcome outcome, Multi<TokenEvent> tokens) {
    }

    /**
     * The request's tokens from the first, live until its last one. The outcome is decided and
     * the listener registered in one step, under the lock, so nothing can be evicted in between;
     * the processor holds what arrives until the HTTP layer subscribes (at once).
     *
     * @param pending whether a POST of this id waits on this instance (then an unseen id is known)
     */
    Opened open(String id, boolean pending) {
        UnicastProcessor<TokenEvent> out = UnicastProcessor.create();
        Consumer<TokenEvent> live = token -> {
            out.onNext(token);
            if (token.last()) {
                out.onComplete();
            }
        };
        // replayed under the lock, so a live token cannot overtake the ones before it
        synchronized (replay) {
            TokenReplay.Subscription s = replay.subscribe(id, pending, live);
            if (s.outcome() != TokenReplay.Outcome.SUBSCRIBED) {
                return new Opened(s.outcome(), Multi.createFrom().empty());
            }
            s.replay().forEach(out::onNext);
            if (s.finished()) {
                out.onComplete();
            }
        }
        return new Opened(TokenReplay.Outcome.SUBSCRIBED, out.onTermination().invoke(() -> {
            synchronized (replay) {
                replay.unsubscribe(id, live);
            }
        }));
    }
}
