package io.trolserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.trolserve.api.TokenReplay.Outcome;
import io.trolserve.messaging.contract.TokenEvent;
import io.trolserve.testkit.Trials;

/** The replay buffer's byte budget and lifecycle, with tiny budgets and token sizes chosen by the test. */
class TokenReplayTest {

    private static final Consumer<TokenEvent> NOBODY = t -> { };

    private static TokenEvent token(String id, int index, boolean last) {
        return new TokenEvent(id, "m", index, 7, "t" + index, 1L, 1.0, 1, last);
    }

    /** Feeds tokens 0..n-1 of a stream, each {@code size} bytes; the last is final when asked. */
    private static void feed(TokenReplay replay, String id, int from, int to, int size, boolean finishes) {
        for (int i = from; i < to; i++) {
            replay.add(token(id, i, finishes && i == to - 1), size);
        }
    }

    private static List<Integer> replayed(TokenReplay replay, String id) {
        TokenReplay.Subscription s = replay.subscribe(id, false, NOBODY);
        replay.unsubscribe(id, NOBODY);
        return s.replay().stream().map(TokenEvent::index).toList();
    }

    @Test
    void aRedeliveredRequestRestartsItsStreamAndTheOldAttemptIsIgnored() {
        TokenReplay replay = new TokenReplay(1000);
        for (int i = 0; i < 3; i++) {
            replay.add(token("r", i, false).withAttempt(100), 10);
        }
        assertThat(replay.add(token("r", 0, false).withAttempt(200), 10)).as("the new attempt is delivered").isNotNull();
        replay.add(token("r", 3, false).withAttempt(100), 10);   // a straggler of the superseded run
        replay.add(token("r", 1, true).withAttempt(200), 10);
        TokenReplay.Subscription s = replay.subscribe("r", false, NOBODY);
        assertThat(s.replay()).extracting(TokenEvent::index, TokenEvent::attempt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 200L), org.assertj.core.groups.Tuple.tuple(1, 200L));
        assertThat(s.finished()).isTrue();
        assertThat(replay.keptBytes()).isEqualTo(20);
    }

    @Test
    void getsOfMadeUpIdsTakeNoRoomAndEvictNothing() {
        TokenReplay replay = new TokenReplay(1000);
        feed(replay, "live", 0, 3, 10, false);
        for (int i = 0; i < 10_000; i++) {
            assertThat(replay.subscribe("made-up-" + i, false, NOBODY).outcome()).isEqualTo(Outcome.UNKNOWN);
        }
        assertThat(replay.streams()).isEqualTo(1);
        assertThat(replayed(replay, "live")).containsExactly(0, 1, 2);
    }

    @Test
    void aPendingPostMakesAnIdKnownBeforeItsFirstTokenAndOnlyWhileSomeoneListens() {
        TokenReplay replay = new TokenReplay(1000);
        List<TokenEvent> got = new ArrayList<>();
        Consumer<TokenEvent> listener = got::add;
        TokenReplay.Subscription s = replay.subscribe("posted", true, listener);
        assertThat(s.outcome()).isEqualTo(Outcome.SUBSCRIBED);
        assertThat(s.replay()).isEmpty();
        replay.add(token("posted", 0, false), 10).forEach(l -> l.accept(token("posted", 0, false)));
        assertThat(got).extracting(TokenEvent::index).containsExactly(0);

        replay.subscribe("left-early", true, listener);
        replay.unsubscribe("left-early", listener);
        assertThat(replay.subscribe("left-early", false, NOBODY).outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(replay.streams()).isEqualTo(1);
    }

    @Test
    void finishedStreamsAreEvictedOldestFirstAndLiveOnesNever() {
        TokenReplay replay = new TokenReplay(100);
        feed(replay, "old-live", 0, 2, 15, false);     // 30 bytes, started first, still running
        feed(replay, "finished-1", 0, 2, 15, true);    // 30
        feed(replay, "finished-2", 0, 2, 10, true);    // 20
        assertThat(replay.keptBytes()).isEqualTo(80);
        feed(replay, "old-live", 2, 4, 15, false);     // +30 = 110 > 100: finished-1 goes
        assertThat(replay.keptBytes()).isEqualTo(80);
        assertThat(replay.subscribe("finished-1", false, NOBODY).outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(replayed(replay, "finished-2")).containsExactly(0, 1);
        assertThat(replayed(replay, "old-live")).containsExactly(0, 1, 2, 3);
        feed(replay, "old-live", 4, 6, 15, false);     // +30 = 110: finished-2 goes, then 90
        assertThat(replay.keptBytes()).isEqualTo(90);
        assertThat(replay.streams()).isEqualTo(1);
        assertThat(replayed(replay, "old-live")).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void whenLiveStreamsAloneExceedTheBudgetTheNewestLoseTheirReplayButKeepTheirListeners() {
        TokenReplay replay = new TokenReplay(50);
        feed(replay, "a", 0, 2, 10, false);
        feed(replay, "b", 0, 2, 10, false);
        List<TokenEvent> toNewest = new ArrayList<>();
        replay.subscribe("c", true, toNewest::add);     // its POSTing client, listening from the start
        for (int i = 0; i < 2; i++) {   // c: 60 > 50, nothing finished: c is the newest and loses its replay
            TokenEvent t = token("c", i, false);
            replay.add(t, 10).forEach(l -> l.accept(t));
        }
        assertThat(replay.keptBytes()).isEqualTo(40);
        assertThat(toNewest).extracting(TokenEvent::index).containsExactly(0, 1);
        assertThat(replay.subscribe("c", false, NOBODY).outcome()).isEqualTo(Outcome.REPLAY_DROPPED);

        feed(replay, "a", 2, 4, 10, false);           // a: 40, b: 20 = 60: b is now the newest keeping replay
        assertThat(replay.keptBytes()).isEqualTo(40);
        assertThat(replay.subscribe("b", false, NOBODY).outcome()).isEqualTo(Outcome.REPLAY_DROPPED);
        assertThat(replayed(replay, "a")).containsExactly(0, 1, 2, 3);

        TokenEvent last = token("c", 2, true);
        replay.add(last, 10).forEach(l -> l.accept(last));
        assertThat(toNewest).extracting(TokenEvent::index).containsExactly(0, 1, 2);
        assertThat(replay.subscribe("c", false, NOBODY).outcome()).as("nothing left to replay").isEqualTo(Outcome.UNKNOWN);
    }

    @Test
    void duplicatesLateTokensAndStreamsJoinedMidwayAreIgnored() {
        TokenReplay replay = new TokenReplay(1000);
        feed(replay, "joined-midway", 5, 8, 10, true);
        assertThat(replay.streams()).isZero();

        feed(replay, "redone", 0, 3, 10, false);
        feed(replay, "redone", 0, 5, 10, true);        // redone after a crash: starts again at 0
        replay.add(token("redone", 5, false), 10);     // after the final one
        assertThat(replayed(replay, "redone")).containsExactly(0, 1, 2, 3, 4);
        assertThat(replay.keptBytes()).isEqualTo(50);
    }

    @Test
    void aZeroBudgetKeepsNothingButStillDelivers() {
        TokenReplay replay = new TokenReplay(0);
        List<TokenEvent> got = new ArrayList<>();
        replay.subscribe("x", true, got::add);
        TokenEvent t = token("x", 0, false);
        replay.add(t, 10).forEach(l -> l.accept(t));
        assertThat(got).hasSize(1);
        assertThat(replay.keptBytes()).isZero();
    }

    /** Interleaved streams of random lengths and sizes: the budget holds after every token, and what is replayed is whole. */
    @Test
    void theBudgetHoldsAndEveryReplayStartsAtTheFirstToken() {
        Trials.forAll(200, random -> random.nextLong(), seed -> {
            SplittableRandom random = new SplittableRandom(seed);
            long budget = random.nextInt(2000);
            TokenReplay replay = new TokenReplay(budget);
            Map<String, Integer> next = new HashMap<>();        // live streams: the index of their next token
            Map<String, Integer> length = new HashMap<>();
            Map<String, List<Integer>> delivered = new HashMap<>();
            String[] slots = new String[12];
            for (int step = 0; step < 400; step++) {
                int slot = random.nextInt(slots.length);
                if (slots[slot] == null) {
                    String id = "s" + slot + "-" + step;
                    slots[slot] = id;
                    next.put(id, 0);
                    length.put(id, 1 + random.nextInt(20));
                    List<Integer> sink = new ArrayList<>();
                    delivered.put(id, sink);
                    replay.subscribe(id, true, t -> sink.add(t.index()));   // the POSTing client, before any token
                }
                String id = slots[slot];
                int index = next.merge(id, 1, Integer::sum) - 1;
                boolean last = index == length.get(id) - 1;
                TokenEvent t = token(id, index, last);
                replay.add(t, 1 + random.nextInt(100)).forEach(l -> l.accept(t));
                if (last) {
                    next.remove(id);
                    slots[slot] = null;
                    assertThat(delivered.get(id)).as("listener of " + id)
                            .isEqualTo(IntStream.range(0, length.get(id)).boxed().toList());
                }
                assertThat(replay.keptBytes()).isBetween(0L, budget);
                for (Map.Entry<String, Integer> live : next.entrySet()) {
                    TokenReplay.Subscription sub = replay.subscribe(live.getKey(), false, NOBODY);
                    replay.unsubscribe(live.getKey(), NOBODY);
                    assertThat(sub.outcome()).as("a live stream is never evicted").isNotEqualTo(Outcome.UNKNOWN);
                    if (sub.outcome() == Outcome.SUBSCRIBED) {
                        assertThat(sub.replay()).extracting(TokenEvent::index)
                                .isEqualTo(IntStream.range(0, live.getValue()).boxed().toList());
                    }
                }
            }
        });
    }
}
