package io.trolserve.messaging;

import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.TokenOutput;
import io.trolserve.metrics.ServingMetrics;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** Intake's observations as serving metrics. */
@Singleton
public class IntakeMetrics implements IntakeObserver {

    @Inject
    ServingMetrics metrics;

    @Override
    public void token(TokenOutput token) {
        metrics.token(token);
    }

    @Override
    public void finished(RequestOutput output) {
        metrics.finished(output);
    }

    @Override
    public void deadLettered(String errorCode) {
        metrics.deadLettered(errorCode);
    }

    @Override
    public void skipped(Skip reason) {
        metrics.skipped(reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    }
}
