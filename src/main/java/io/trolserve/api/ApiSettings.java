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
}
