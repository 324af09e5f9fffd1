package io.trolserve.messaging;

import java.time.Duration;

/**
 * The door's limits and the publishing bounds of intake, from {@link MessagingSettings}.
 *
 * @param maxRecordBytes        key, value and headers of a request record; larger ones are dead-lettered
 * @param maxCarriedHeaderBytes headers copied onto a request's tokens and answer, in total
 * @param maxRequestTime        from acceptance to the end of generation: the longest a request (and so
 *                              its partition's commits) can wait on the engine
 * @param publishAttempts       tries of an answer or dead letter before giving up on it
 * @param publishBackoff        wait before the second try; doubled before each further one
 * @param maxDeadLetterBytes    the DLQ producer's max.request.size: larger letters are cut to fit
 */
public record IntakeLimits(long maxRecordBytes, int maxCarriedHeaderBytes, Duration maxRequestTime,
                           int publishAttempts, Duration publishBackoff, long maxDeadLetterBytes) {

    public IntakeLimits {
        if (maxRecordBytes <= 0 || maxCarriedHeaderBytes < 0 || maxRequestTime.isNegative() || maxRequestTime.isZero()
                || publishAttempts < 1 || publishBackoff.isNegative() || maxDeadLetterBytes < 4096) {
            throw new IllegalArgumentException("invalid intake limits: " + maxRecordBytes + ", " + maxCarriedHeaderBytes
                    + ", " + maxRequestTime + ", " + publishAttempts + ", " + publishBackoff + ", " + maxDeadLetterBytes);
        }
    }

    /** The longest all publish tries of one record can wait in backoff. */
    Duration worstPublishBackoff() {
        return publishBackoff.multipliedBy((1L << Math.min(publishAttempts - 1, 20)) - 1);
    }
}
