package io.trolserve.api;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code trol.api.*}: the REST side. */
@ConfigMapping(prefix = "trol.api")
public interface ApiSettings {

    /** How long {@code POST /v1/answers} waits for the answer before 504 (the request stays queued). */
    @WithDefault("5m")
    Duration answerTimeout();

    /**
     * Bytes of token events (their JSON size on {@code trol.tokens}) kept so that a late SSE
     * subscriber still gets a stream from its first token; see {@link TokenReplay} for what is
     * evicted and what is dropped when it is full. 0 keeps none (live listeners only).
     */
    @WithDefault("67108864")
    long tokenReplayBytes();
}
