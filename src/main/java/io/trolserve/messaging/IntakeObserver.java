package io.trolserve.messaging;

import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.TokenOutput;

/** What intake reports for metrics; the service's implementation feeds {@code /q/metrics}. */
public interface IntakeObserver {

    /** Why a record was committed without running. */
    enum Skip {
        /** Its id was already running here: it is settled with that request. */
        IN_FLIGHT,
        /** Its id's answer was already on the answers topic (a redelivery after a crash or rebalance). */
        ALREADY_ANSWERED
    }

    /** A generated token (engine thread; must be cheap). */
    void token(TokenOutput token);

    /** A request the engine finished and that is about to be answered (engine thread). */
    void finished(RequestOutput output);

    /** A dead letter with this error code is on the broker. */
    void deadLettered(String errorCode);

    void skipped(Skip reason);
}
