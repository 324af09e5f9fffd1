package io.trolserve.messaging;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.header.Header;

import io.trolserve.messaging.contract.TokenEvent;
import io.trolserve.messaging.contract.TrolAnswer;

/**
 * Where intake's output records go ({@link AnswerPublisher} writes them to Kafka). Never blocks:
 * each stage completes when the broker has the record, or fails with the producer's reason.
 */
public interface RecordOutlet {

    CompletionStage<Void> answer(TrolAnswer answer, List<Header> headers);

    CompletionStage<Void> token(TokenEvent token, List<Header> headers);

    CompletionStage<Void> deadLetter(DeadLetter letter);
}
