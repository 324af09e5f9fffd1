package io.trolserve.messaging;

import io.trolserve.engine.FinishReason;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.TokenOutput;
import io.trolserve.messaging.contract.ContractJson;
import io.trolserve.messaging.contract.ErrorInfo;
import io.trolserve.messaging.contract.Timings;
import io.trolserve.messaging.contract.TokenEvent;
import io.trolserve.messaging.contract.TrolAnswer;
import io.trolserve.messaging.contract.Usage;

/** Engine outputs as wire records: {@code trol.answers} and {@code trol.tokens}. */
public final class Answers {

    /** Error code of an answer the engine refused or failed. */
    public static final String ENGINE_ERROR = "engine-error";

    private Answers() {
    }

    public static TrolAnswer of(RequestOutput out, String model) {
        RequestOutput.RequestTimings t = out.timings();
        FinishReason reason = out.finishReason();
        ErrorInfo error = reason == FinishReason.ERROR
                ? new ErrorInfo(ENGINE_ERROR, out.error() == null ? "the engine failed this request" : out.error())
                : null;
        return new TrolAnswer(out.requestId(), model, out.text(), reason, error,
                new Usage(out.promptTokens(), out.imageTokens(), out.completionTokens()),
                new Timings(t.queueMs(), t.visionMs(), t.prefillMs(), t.ttftMs(), t.e2eMs(), t.meanItlMs()));
    }

    /** An answer for a request that never reached the engine. */
    public static TrolAnswer rejected(String id, String model, String code, String message) {
        return new TrolAnswer(id, model, "", FinishReason.ERROR, new ErrorInfo(code, message), Usage.NONE, Timings.NONE);
    }

    /** One per generated token, so built in one go (the engine thread calls this). */
    public static TokenEvent token(TokenOutput t, String model, long attempt) {
        return new TokenEvent(ContractJson.VERSION, t.requestId(), model, t.index(), t.tokenId(), t.text(),
                t.emittedAtMicros(), t.latencyMs(), t.batchSize(), t.last(), attempt);
    }
}
