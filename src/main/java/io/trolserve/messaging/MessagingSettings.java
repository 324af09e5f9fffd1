package io.trolserve.messaging;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code trol.messaging.*}: intake limits and the image sources a Kafka request may use. */
@ConfigMapping(prefix = "trol.messaging")
public interface MessagingSettings {

    /** Requests held in memory at once (parsed, queued or generating); consumption pauses beyond it. */
    @WithDefault("256")
    int maxInFlight();

    /** How long shutdown lets running requests finish before leaving the rest uncommitted. */
    @WithDefault("30s")
    Duration shutdownGrace();

    /** A request record's key, value and headers together; larger records are dead-lettered (record-too-large). */
    @WithDefault("16777216")
    long maxRecordBytes();

    /** The longest request id, in UTF-8 bytes (invalid-id beyond it). */
    @WithDefault("256")
    int maxIdBytes();

    /** Request headers copied onto tokens and answer, in total; beyond it none are, and the answer warns. */
    @WithDefault("16384")
    int maxCarriedHeaderBytes();

    /**
     * From acceptance to the end of generation: a request still running then ends with finishReason
     * deadline, so no record holds its partition's commits longer (the consumer's
     * throttled.unprocessed-record-max-age.ms must exceed this plus the publish backoff).
     */
    @WithDefault("10m")
    Duration maxRequestTime();

    /** Tries of an answer or dead letter before giving up on it (then: dead letter, or left uncommitted). */
    @WithDefault("5")
    int publishAttempts();

    /** Wait before the second try of a publish, doubled before each further one. */
    @WithDefault("200ms")
    Duration publishBackoff();

    /** The dead-letter producer's max.request.size: larger dead letters are cut to fit (trol-truncated). */
    @WithDefault("16777216")
    long maxDeadLetterBytes();

    /** Ids read back from trol.answers on partition assignment, so answered requests are not run again. */
    AnsweredScan answeredScan();

    interface AnsweredScan {
        @WithDefault("true")
        boolean enabled();

        /** The longest a scan may take; past it the assignment goes on with what was read (a duplicate at worst). */
        @WithDefault("30s")
        Duration timeout();

        /** Ids kept at most, the oldest forgotten first. */
        @WithDefault("200000")
        int maxIds();

        /** How far back the scan may start, however old the oldest uncommitted request is. */
        @WithDefault("24h")
        Duration maxLookback();
    }

    /** Images: decoded pixel limit (decompression bombs are refused from the header). */
    @WithDefault("67108864")
    long maxImagePixels();

    /** file: image URLs are allowed only below this directory; none by default. */
    Optional<Path> imageFileRoot();

    /** Hosts http(s) image URLs may point at. */
    Optional<List<String>> imageHttpHosts();

    @WithDefault("5s")
    Duration imageConnectTimeout();

    @WithDefault("20s")
    Duration imageReadTimeout();

    /** Model name put in answers; default: the checkpoint directory's name. */
    Optional<String> modelName();

    /**
     * Images: pixels (width × height, from the header) decoding at once across all requests; an
     * image that does not fit waits, first come first served, until earlier ones are resized to
     * the model's input. Bounds the heap ImageIO's full-size rasters take (up to 8 bytes a pixel).
     * Must be at least {@link #maxImagePixels()}, so that every allowed image can decode.
     */
    @WithDefault("67108864")
    long maxDecodingPixels();

    /** Images: a decode running longer is stopped and the request refused with {@code decode-timeout}. */
    @WithDefault("10s")
    Duration maxDecodeTime();
}
