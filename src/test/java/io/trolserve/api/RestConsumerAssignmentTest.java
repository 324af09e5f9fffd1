package io.trolserve.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;

/** What the REST consumers hold, and what an assignment does when its positions cannot be found. */
class RestConsumerAssignmentTest {

    private static final TopicPartition ANSWERS_0 = new TopicPartition("trol.answers", 0);
    private static final TopicPartition ANSWERS_1 = new TopicPartition("trol.answers", 1);
    private static final TopicPartition TOKENS_0 = new TopicPartition("trol.tokens", 0);

    @Test
    void holdsATopicFromItsAssignmentUntilItsLastPartitionGoes() {
        RestConsumerAssignment assignment = new RestConsumerAssignment();
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("latest");
        consumer.assign(List.of(ANSWERS_0, ANSWERS_1));
        consumer.updateEndOffsets(Map.of(ANSWERS_0, 7L, ANSWERS_1, 3L));
        assertThat(assignment.holds("trol.answers")).isFalse();

        assignment.onPartitionsAssigned(consumer, List.of(ANSWERS_0, ANSWERS_1));
        assertThat(assignment.holds("trol.answers")).isTrue();
        assertThat(assignment.holds("trol.tokens")).isFalse();
        assertThat(consumer.position(ANSWERS_0)).as("resolved to the end before readiness").isEqualTo(7L);

        assignment.onPartitionsRevoked(consumer, List.of(ANSWERS_0));
        assertThat(assignment.holds("trol.answers")).isTrue();
        assignment.onPartitionsLost(consumer, List.of(ANSWERS_1));
        assertThat(assignment.holds("trol.answers")).isFalse();
    }

    /**
     * A position that cannot be found in time neither fails the channel's poll nor keeps the
     * instance unready until the next rebalance; a consumer being woken up to close still is.
     */
    @Test
    void aPositionThatTimesOutStillCountsAsHeldButAWakeupEndsThePoll() {
        RestConsumerAssignment assignment = new RestConsumerAssignment();
        MockConsumer<byte[], byte[]> slow = new MockConsumer<>("latest") {
            @Override
            public synchronized long position(TopicPartition partition, Duration timeout) {
                assertThat(timeout).isLessThanOrEqualTo(RestConsumerAssignment.POSITION_TIMEOUT);
                throw new TimeoutException("no broker answered");
            }
        };
        assignment.onPartitionsAssigned(slow, List.of(TOKENS_0));
        assertThat(assignment.holds("trol.tokens")).isTrue();

        MockConsumer<byte[], byte[]> closing = new MockConsumer<>("latest") {
            @Override
            public synchronized long position(TopicPartition partition, Duration timeout) {
                throw new WakeupException();
            }
        };
        assertThatThrownBy(() -> assignment.onPartitionsAssigned(closing, List.of(ANSWERS_0)))
                .isInstanceOf(WakeupException.class);
        assertThat(assignment.holds("trol.answers")).isFalse();
    }
}
