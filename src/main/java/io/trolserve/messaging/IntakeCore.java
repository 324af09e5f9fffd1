package io.trolserve.messaging;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jboss.logging.Logger;

import io.trolserve.engine.EngineClosedException;
import io.trolserve.engine.EngineRequest;
import io.trolserve.messaging.contract.InvalidRequestException;
import io.trolserve.messaging.contract.TrolAnswer;
import io.trolserve.messaging.contract.TrolRequest;

/**
 * The intake's decisions for one request record, without a broker or a thread of its own:
 * <pre>
 * record ─ door (size) ─ parse ─ already answered? ─ already in flight? ─ prepare ─ submit ─ answer
 *            │             │           │ ack            │ wait on it        │          │ closed: leave
 *            └─────────────┴─ dead letter + error answer ──────────────────┘          └ uncommitted
 * </pre>
 * Every record ends in exactly one of three ways: answered, dead-lettered with a
 * {@code trol-error-code}, or left uncommitted for the partition's next owner (the service is
 * stopping, or nothing could be published). Publishing is retried with backoff; an answer that still
 * cannot be published dead-letters its request, and a dead letter too big for the broker is cut to
 * fit ({@link DeadLetter}). No request holds its partition longer than
 * {@link IntakeLimits#maxRequestTime()} plus the publish backoff.
 */
public final class IntakeCore {

    private static final Logger LOG = Logger.getLogger(IntakeCore.class);
    /** A record intake failed on for a reason of its own (a bug), not the record's: still dead-lettered. */
    public static final String INTAKE_FAILURE = "intake-failure";
    public static final String RECORD_TOO_LARGE = "record-too-large";
    public static final String ANSWER_NOT_PUBLISHED = "answer-not-published";
    /** Dead letters this small pass any broker's default message.max.bytes (1 MiB). */
    private static final long[] FALLBACK_LETTER_BYTES = {256 * 1024, 16 * 1024};

    private final ServingPort serving;
    private final RecordOutlet outlet;
    private final IntakeLimits limits;
    private final IntakeObserver observer;
    private final AnsweredIds answered;
    private final Clock clock;
    private final Retrying retrying;
    private final InFlightIds inFlight = new InFlightIds();

    public IntakeCore(ServingPort serving, RecordOutlet outlet, IntakeLimits limits, IntakeObserver observer,
                      AnsweredIds answered, Delays delays, Clock clock) {
        this.serving = serving;
        this.outlet = outlet;
        this.limits = limits;
        this.observer = observer;
        this.answered = answered;
        this.clock = clock;
        this.retrying = new Retrying(limits.publishAttempts(), limits.publishBackoff(), delays);
    }

    /** Takes one record to its outcome; {@code settlement} hears how it ends (maybe later, on another thread). */
    public void accept(IncomingRecord record, RecordSettlement settlement) {
        if (record.sizeBytes() > limits.maxRecordBytes()) {
            refuse(record, settlement, null, RECORD_TOO_LARGE, "the record holds " + record.sizeBytes()
                    + " bytes (key, value and headers), more than " + limits.maxRecordBytes());
            return;
        }
        String key = utf8OrNull(record.key());
        TrolRequest request;
        try {
            request = serving.parser().parse(record.value(), key);
        } catch (InvalidRequestException e) {
            String id = e.requestId() != null ? e.requestId() : serving.parser().isAcceptableId(key) ? key : null;
            refuse(record, settlement, id, e.code().wireName(), e.getMessage());
            return;
        }
        if (answered.contains(request.id())) {
            observer.skipped(IntakeObserver.Skip.ALREADY_ANSWERED);
            settlement.acknowledge();
            return;
        }
        InFlightIds.Claim claim = inFlight.claim(request.id(), settlement);
        if (claim == null) {
            LOG.debugf("%s: request %s is already in flight; settled with it", record.where(), request.id());
            observer.skipped(IntakeObserver.Skip.IN_FLIGHT);
            return;
        }
        try {
            run(record, request, claim);
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s: intake failed on request %s; dead-lettering it", record.where(), request.id());
            refuse(record, claim, request.id(), INTAKE_FAILURE, "the service failed on this request: " + e);
        }
    }

    private void run(IncomingRecord record, TrolRequest request, InFlightIds.Claim claim) {
        RequestPreparation.Outcome outcome = serving.prepare(request);
        if (outcome instanceof RequestPreparation.Rejected r) {
            refuse(record, claim, request.id(), r.code(), r.message());
            return;
        }
        EngineRequest prepared = ((RequestPreparation.Prepared) outcome).request();
        RecordHeaders.Carried carried = RecordHeaders.carried(record.headers(), limits.maxCarriedHeaderBytes());
        AnsweringListener listener = new AnsweringListener(this, record, claim, carried, clock.millis());
        try {
            serving.submit(prepared.withDeadline(cappedDeadline(prepared.deadline())), listener);
        } catch (EngineClosedException e) {
            // fetched before intake paused, or the engine is gone: neither answered nor bad input, so
            // the partition's next owner gets it again
            LOG.debugf("%s: request %s not taken by the engine; left uncommitted for redelivery", record.where(),
                    request.id());
            claim.leaveUncommitted();
        }
    }

    /** The request's own deadline, or sooner: no record may hold its partition's commits for ever. */
    private Instant cappedDeadline(Instant requested) {
        Instant cap = clock.instant().plus(limits.maxRequestTime());
        return requested == null || requested.isAfter(cap) ? cap : requested;
    }

    /** Dead-letters the record and, when its id is known, answers it with the error; then settles it. */
    void refuse(IncomingRecord record, RecordSettlement settlement, String id, String code, String message) {
        CompletionStage<Void> dead = deadLetter(record, code, message);
        RecordHeaders.Carried carried = RecordHeaders.carried(record.headers(), limits.maxCarriedHeaderBytes());
        CompletionStage<Void> errorAnswer = id == null ? CompletableFuture.completedFuture(null)
                : publishAnswer(Answers.rejected(id, serving.modelName(), code, message)
                        .withAttempt(clock.millis(), carried.warnings()), carried)
                        .exceptionally(failure -> {
                            LOG.warnf("%s: the error answer of %s was not published (%s); its dead letter stands",
                                    record.where(), id, failure);
                            return null;
                        });
        dead.thenCombine(errorAnswer, (a, b) -> b).whenComplete((ok, failure) -> {
            if (failure == null) {
                settlement.acknowledge();
            } else {
                LOG.errorf("%s: could not dead-letter a refused record (%s: %s); it stays uncommitted", record.where(),
                        code, failure);
                settlement.leaveUncommitted();
            }
        });
    }

    /** A finished request's answer: acknowledged once on the broker, its record dead-lettered if it never gets there. */
    void answer(IncomingRecord record, RecordSettlement settlement, TrolAnswer answer, RecordHeaders.Carried carried) {
        publishAnswer(answer, carried).whenComplete((ok, failure) -> {
            if (failure == null) {
                settlement.acknowledge();
                return;
            }
            LOG.errorf("%s: the answer of %s was not published (%s); dead-lettering its request", record.where(),
                    answer.id(), failure);
            deadLetter(record, ANSWER_NOT_PUBLISHED, "its answer could not be published: " + failure)
                    .whenComplete((dead, lost) -> {
                        if (lost == null) {
                            settlement.acknowledge();
                        } else {
                            LOG.errorf("%s: nor its dead letter (%s); it stays uncommitted", record.where(), lost);
                            settlement.leaveUncommitted();
                        }
                    });
        });
    }

    private CompletionStage<Void> publishAnswer(TrolAnswer answer, RecordHeaders.Carried carried) {
        return retrying.run(() -> outlet.answer(answer, carried.headers()));
    }

    /** The dead letter, cut smaller each time the producer or broker finds it too large. */
    private CompletionStage<Void> deadLetter(IncomingRecord record, String code, String message) {
        DeadLetter letter = DeadLetter.of(record, code, message);
        return sendFitting(letter, limits.maxDeadLetterBytes(), 0).thenRun(() -> observer.deadLettered(code));
    }

    private CompletionStage<Void> sendFitting(DeadLetter letter, long maxBytes, int fallback) {
        DeadLetter fitted = letter.fittedTo(maxBytes);
        return retrying.run(() -> outlet.deadLetter(fitted)).handle((ok, failure) -> {
            if (failure == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (Retrying.isTooLarge(failure) && fallback < FALLBACK_LETTER_BYTES.length) {
                return sendFitting(letter, Math.min(maxBytes - 1, FALLBACK_LETTER_BYTES[fallback]), fallback + 1);
            }
            return CompletableFuture.<Void>failedFuture(failure);
        }).thenCompose(stage -> stage);
    }

    ServingPort serving() {
        return serving;
    }

    RecordOutlet outlet() {
        return outlet;
    }

    IntakeObserver observer() {
        return observer;
    }

    /** The key as text when it is UTF-8, else null: a binary routing key is no id. */
    private static String utf8OrNull(byte[] key) {
        if (key == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
