package io.trolserve.api;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.trolserve.messaging.contract.TokenEvent;

/**
 * The token events kept for replay to late SSE subscribers, within a budget of bytes (the JSON
 * size of the events kept, as read from {@code trol.tokens}). Not thread-safe: {@link TokenFeed}
 * holds one lock around every call.
 *
 * <pre>
 *  (index-0 token, or a subscriber to a pending POST)
 *        │
 *        ▼                  final token
 *  LIVE, replaying ───────────────────────► FINISHED ──► evicted, oldest finished first,
 *        │                                               when the budget is exceeded
 *        │ budget exceeded and nothing finished is left: the newest live streams lose their replay
 *        ▼                  final token
 *  LIVE, replay dropped ──────────────────► removed (nothing left to replay)
 * </pre>
 *
 * A live stream is never evicted: its listeners keep receiving tokens whatever happens to its
 * replay. Only an index-0 token or a subscriber to a pending POST opens a stream, so neither a
 * GET of a made-up id nor a stream joined midway (an instance started with offsets at "latest")
 * takes any room.
 */
final class TokenReplay {

    enum Outcome { SUBSCRIBED, REPLAY_DROPPED, UNKNOWN }

    /** What a subscriber gets: the tokens so far (to emit before any live one) and whether that was all. */
    record Subscription(Outcome outcome, List<TokenEvent> replay, boolean finished) {
    }

    private static final class Stream {
        final String id;
        final long arrival;
        final List<TokenEvent> tokens = new ArrayList<>();
        final List<Consumer<TokenEvent>> listeners = new ArrayList<>();
        long bytes;
        int lastIndex = -1;
        Long attempt;
        boolean finished;
        boolean replayDropped;

        Stream(String id, long arrival) {
            this.id = id;
            this.arrival = arrival;
        }
    }

    private final long budgetBytes;
    private final Map<String, Stream> streams = new HashMap<>();
    private final TreeMap<Long, Stream> liveReplaying = new TreeMap<>();   // by arrival: the newest is last
    private final ArrayDeque<Stream> finished = new ArrayDeque<>();        // in finishing order: the oldest is first
    private long keptBytes;
    private long arrivals;

    TokenReplay(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("trol.api.token-replay-bytes must be >= 0, not " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    /** @param bytes the event's serialized size @return the listeners to hand it to (none when it is dropped) */
    List<Consumer<TokenEvent>> add(TokenEvent token, int bytes) {
        Stream s = streams.get(token.id());
        if (s == null && token.index() == 0) {
            s = open(token.id());
        }
        if (s != null && supersedes(token, s)) {
            restart(s);   // a redelivery runs the request again: its stream starts over at 0, with a larger attempt
        }
        // a duplicate, a token of a superseded attempt, or a stream joined midway
        if (s == null || s.finished || token.index() <= s.lastIndex || olderAttempt(token, s)) {
            return List.of();
        }
        s.attempt = token.attempt();
        s.lastIndex = token.index();
        if (!s.replayDropped) {
            s.tokens.add(token);
            s.bytes += bytes;
            keptBytes += bytes;
            makeRoom();
        }
        List<Consumer<TokenEvent>> listeners = List.copyOf(s.listeners);
        if (token.last()) {
            finish(s);
        }
        return listeners;
    }

    /** @param pending whether this instance has a POST of {@code id} waiting, which makes an unseen id known */
    Subscription subscribe(String id, boolean pending, Consumer<TokenEvent> listener) {
        Stream s = streams.get(id);
        if (s == null && !pending) {
            return new Subscription(Outcome.UNKNOWN, List.of(), false);
        }
        if (s == null) {
            s = open(id);
        }
        if (s.replayDropped) {
            return new Subscription(Outcome.REPLAY_DROPPED, List.of(), false);
        }
        if (!s.finished) {
            s.listeners.add(listener);
        }
        return new Subscription(Outcome.SUBSCRIBED, List.copyOf(s.tokens), s.finished);
    }

    void unsubscribe(String id, Consumer<TokenEvent> listener) {
        Stream s = streams.get(id);
        if (s != null && s.listeners.remove(listener) && s.lastIndex < 0 && s.listeners.isEmpty()) {
            forget(s);   // opened for a subscriber who left before the first token
        }
    }

    long keptBytes() {
        return keptBytes;
    }

    int streams() {
        return streams.size();
    }

    private Stream open(String id) {
        Stream s = new Stream(id, arrivals++);
        streams.put(id, s);
        liveReplaying.put(s.arrival, s);
        return s;
    }

    private static boolean supersedes(TokenEvent token, Stream s) {
        return token.index() == 0 && token.attempt() != null && s.attempt != null && token.attempt() > s.attempt;
    }

    private static boolean olderAttempt(TokenEvent token, Stream s) {
        return token.attempt() != null && s.attempt != null && token.attempt() < s.attempt;
    }

    /** Drops what the stream kept of a superseded attempt; listeners see the new attempt's tokens next. */
    private void restart(Stream s) {
        keptBytes -= s.bytes;
        s.bytes = 0;
        s.tokens.clear();
        s.lastIndex = -1;
        s.replayDropped = false;
        if (s.finished) {
            s.finished = false;
            finished.remove(s);
            liveReplaying.put(s.arrival, s);
        }
    }

    private void makeRoom() {
        while (keptBytes > budgetBytes && !finished.isEmpty()) {
            forget(finished.pollFirst());
        }
        while (keptBytes > budgetBytes && !liveReplaying.isEmpty()) {
            dropReplay(liveReplaying.pollLastEntry().getValue());
        }
    }

    private void dropReplay(Stream s) {
        keptBytes -= s.bytes;
        s.bytes = 0;
        s.tokens.clear();
        s.replayDropped = true;
    }

    private void finish(Stream s) {
        s.finished = true;
        s.listeners.clear();   // each has had its final token and completes itself
        liveReplaying.remove(s.arrival);
        if (s.replayDropped) {
            streams.remove(s.id);
        } else {
            finished.addLast(s);
        }
    }

    /** Evicts a finished stream (already taken off {@code finished}) or one that never saw a token. */
    private void forget(Stream s) {
        keptBytes -= s.bytes;
        streams.remove(s.id);
        liveReplaying.remove(s.arrival);
    }
}
