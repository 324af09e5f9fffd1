package io.trolserve.messaging;

import org.jboss.logging.Logger;

import io.trolserve.engine.FinishReason;
import io.trolserve.engine.RequestListener;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.TokenOutput;

/**
 * Streams one request's tokens to {@code trol.tokens} and its answer to {@code trol.answers}, then
 * settles its record(s). Runs on the engine thread: every call only hands records to the producer.
 * A request cancelled because the service is shutting down is neither answered nor acknowledged,
 * so it is redelivered after the restart.
 */
final class AnsweringListener implements RequestListener {

    private static final Logger LOG = Logger.getLogger(AnsweringListener.class);

    private final IntakeCore core;
    private final IncomingRecord record;
    private final RecordSettlement settlement;
    private final RecordHeaders.Carried carried;
    private final long attempt;

    /** @param attempt this execution's id, on every token and the answer (see TrolAnswer#attempt) */
    AnsweringListener(IntakeCore core, IncomingRecord record, RecordSettlement settlement, RecordHeaders.Carried carried,
                      long attempt) {
        this.core = core;
        this.record = record;
        this.settlement = settlement;
        this.carried = carried;
        this.attempt = attempt;
    }

    @Override
    public void onToken(TokenOutput token) {
        core.observer().token(token);
        // a lost token event is not retried: the answer holds the whole text, and it is
        core.outlet().token(Answers.token(token, core.serving().modelName(), attempt), carried.headers())
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        LOG.debugf("token %d of %s not published: %s", token.index(), token.requestId(), failure);
                    }
                });
    }

    @Override
    public void onFinish(RequestOutput output) {
        if (output.finishReason() == FinishReason.CANCELLED && core.serving().stopping()) {
            LOG.debugf("request %s left for redelivery: the service is shutting down", output.requestId());
            settlement.leaveUncommitted();
            return;
        }
        // recorded before the answer leaves, so a client that has the answer finds it counted; not for
        // a request left for redelivery above, which is counted when it is answered after the restart
        core.observer().finished(output);
        core.answer(record, settlement,
                Answers.of(output, core.serving().modelName()).withAttempt(attempt, carried.warnings()), carried);
    }
}
