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
