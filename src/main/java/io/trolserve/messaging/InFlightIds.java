package io.trolserve.messaging;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The request ids this instance is serving now. A record whose id is already in flight (the same
 * request sent twice, or redelivered to us after a rebalance while we still run it) is not run
 * again and gets no second answer: it joins the first one's {@link Claim} and is settled with it,
 * acknowledged when the first is answered, left uncommitted when the first is.
 *
 * <p>Joined records stay bounded by max-in-flight: each holds its intake slot until settled.
 */
final class InFlightIds {

    private final Map<String, Claim> claims = new HashMap<>();

    /** One id's records: the one that runs and those that wait for its outcome. */
    final class Claim implements RecordSettlement {

        private final String id;
        private final List<RecordSettlement> records = new ArrayList<>();

        private Claim(String id, RecordSettlement first) {
            this.id = id;
            records.add(first);
        }

        @Override
        public void acknowledge() {
            end().forEach(RecordSettlement::acknowledge);
        }

        @Override
        public void leaveUncommitted() {
            end().forEach(RecordSettlement::leaveUncommitted);
        }

        /** Removes the claim, so that a later record of this id runs afresh. @return its records, once */
        private List<RecordSettlement> end() {
            synchronized (InFlightIds.this) {
                if (claims.get(id) != this) {
                    return List.of();
                }
                claims.remove(id);
                return List.copyOf(records);
            }
        }
    }

    /** A claim for {@code id} if it is not in flight; else null, and {@code record} waits on the running one. */
    synchronized Claim claim(String id, RecordSettlement record) {
        Claim running = claims.get(id);
        if (running != null) {
            running.records.add(record);
            return null;
        }
        Claim claim = new Claim(id, record);
        claims.put(id, claim);
        return claim;
    }

    synchronized int size() {
        return claims.size();
    }
}
