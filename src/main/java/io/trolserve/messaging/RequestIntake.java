package io.trolserve.messaging;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The Kafka side of intake: holds an in-flight slot per record (the consumer pauses when none is
 * free), turns the connector's message into an {@link IncomingRecord} for {@link IntakeCore}, and
 * its settlement into an ack or nothing. Each record is settled exactly once.
 */
@ApplicationScoped
public class RequestIntake {

    private static final Logger LOG = Logger.getLogger(RequestIntake.class);

    @Inject
    ServingPort serving;

    @Inject
    AnswerPublisher publisher;

    @Inject
    MessagingSettings settings;

    @Inject
    IntakeMetrics observer;

    @Inject
    @Identifier(AnsweredIdsScan.NAME)
    AnsweredIdsScan answeredScan;

    private Semaphore inFlight;
    private IntakeCore core;

    @PostConstruct
    void init() {
        inFlight = new Semaphore(settings.maxInFlight());
        IntakeLimits limits = new IntakeLimits(settings.maxRecordBytes(), settings.maxCarriedHeaderBytes(),
                settings.maxRequestTime(), settings.publishAttempts(), settings.publishBackoff(),
                settings.maxDeadLetterBytes());
        core = new IntakeCore(serving, publisher, limits, observer, answeredScan.answered(),
                Delays.onDaemonThread("trol-publish-retry"), Clock.systemUTC());
    }

    /** Requests currently held in memory (for metrics and tests). */
    public int inFlight() {
        return settings.maxInFlight() - inFlight.availablePermits();
    }

    void accept(Message<byte[]> message) {
        inFlight.acquireUninterruptibly();
        RecordSettlement settlement = settlement(message);
        try {
            core.accept(record(message), settlement);
        } catch (RuntimeException e) {
            // IntakeCore settles every record itself; reaching this is a bug in it. The connector's
            // failure strategy dead-letters the record (without a code): better than a stalled partition.
            LOG.error("request intake failed", e);
            settlement.leaveUncommitted();
            message.nack(e);
            observer.deadLettered(IntakeCore.INTAKE_FAILURE);
        }
    }

    private static IncomingRecord record(Message<byte[]> message) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<byte[], byte[]> meta = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalStateException("not a Kafka record"));
        List<Header> headers = new ArrayList<>();
        meta.getHeaders().forEach(headers::add);
        return new IncomingRecord(meta.getTopic(), meta.getPartition(), meta.getOffset(), meta.getKey(),
                message.getPayload(), headers);
    }

    /** Frees the slot once, and acks the record when it was handled. */
    private RecordSettlement settlement(Message<byte[]> message) {
        AtomicBoolean settled = new AtomicBoolean();
        return new RecordSettlement() {
            @Override
            public void acknowledge() {
                if (settled.compareAndSet(false, true)) {
                    inFlight.release();
                    message.ack();
                }
            }

            @Override
            public void leaveUncommitted() {
                if (settled.compareAndSet(false, true)) {
                    inFlight.release();
                }
            }
        };
    }
}
