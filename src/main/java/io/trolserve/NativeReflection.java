package io.trolserve;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.trolserve.analytics.LatencyStats;
import io.trolserve.analytics.SloAlert;
import io.trolserve.analytics.StatsResource;
import io.trolserve.api.EngineResource;
import io.trolserve.messaging.contract.ErrorInfo;
import io.trolserve.messaging.contract.InlineImage;
import io.trolserve.messaging.contract.RequestLimits;
import io.trolserve.messaging.contract.RequestParams;
import io.trolserve.messaging.contract.Timings;
import io.trolserve.messaging.contract.TokenEvent;
import io.trolserve.messaging.contract.TrolAnswer;
import io.trolserve.messaging.contract.TrolRequest;
import io.trolserve.messaging.contract.UrlImage;
import io.trolserve.messaging.contract.Usage;

/**
 * The records Jackson binds by reflection, registered for a native image (README, "Native
 * build"). Jackson reads a record through {@code Class.getRecordComponents()}, its accessors and
 * its canonical constructor; a native image keeps those only for registered classes, and Quarkus
 * registers on its own only what a REST method's signature names.
 *
 * <p>One list here instead of an annotation on each record: the contract records are plain Java,
 * read by {@code ask}, the tests and any other client without Quarkus, so they carry no Quarkus
 * annotations. Every record of {@code messaging.contract} is listed, bound by reflection today or
 * not, so that a new use cannot miss its registration; {@code NativeReflectionTest} fails when one
 * is missing, or when a listed record has a record component type that is not listed.
 */
@RegisterForReflection(targets = {
        // trol.answers, trol.tokens and trol.requests (ContractJson)
        TrolAnswer.class, ErrorInfo.class, Usage.class, Timings.class, TokenEvent.class,
        TrolRequest.class, RequestParams.class, InlineImage.class, UrlImage.class, RequestLimits.class,
        // trol.latency-stats, trol.slo-alerts and GET /v1/stats (AnalyticsJson)
        LatencyStats.class, LatencyStats.Percentiles.class, SloAlert.class, StatsResource.StatsPage.class,
        // GET /v1/engine: returned inside a Response, which hides its type from Quarkus
        EngineResource.Snapshot.class})
public final class NativeReflection {

    private NativeReflection() {
    }
}
