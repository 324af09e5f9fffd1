package io.trolserve.messaging;

/**
 * How one record's intake ends; exactly one of the two is called, once. The Kafka adapter turns
 * them into an ack (the throttled commit strategy then commits the partition up to its oldest
 * unsettled record) or into nothing (the record is fetched again by the partition's next owner).
 */
public interface RecordSettlement {

    /** The record's outcome (its answer, or its dead letter) is on the broker: it may be committed. */
    void acknowledge();

    /** Nothing was published for it (the service is stopping, or the broker refused everything). */
    void leaveUncommitted();
}
