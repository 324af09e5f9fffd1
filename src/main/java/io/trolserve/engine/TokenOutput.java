package io.trolserve.engine;

/**
 * One generated token as it leaves the engine.
 *
 * @param text           the decoded text this token adds (empty while a character is incomplete;
 *                       empty for the stop token)
 * @param emittedAtMicros wall-clock emission time, microseconds since the epoch
 * @param latencyMs      since the previous token of this request; for the first, since the
 *                       request was submitted (time to first token)
 * @param batchSize      sequences in the engine step that produced it
 * @param last           whether the request finished with this token
 */
public record TokenOutput(String requestId, int index, int tokenId, String text, long emittedAtMicros,
                          double latencyMs, int batchSize, boolean last) {
}
