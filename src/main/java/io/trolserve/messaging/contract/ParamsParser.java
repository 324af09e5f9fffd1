package io.trolserve.messaging.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.trolserve.engine.SamplingParams;

/**
 * The optional {@code "params"} object; each missing (or null) field takes its default. The rules
 * are {@link SamplingParams}'s; this class only names the offending field and gives the error code.
 */
final class ParamsParser {

    static final int MAX_STOP_STRINGS = 4;
    static final int MAX_STOP_CHARS = 64;
    private static final Set<String> FIELDS =
            Set.of("maxNewTokens", "temperature", "topP", "topK", "seed", "stop");

    private final RequestLimits limits;
    private final RequestParams defaults;
    private final UnknownFieldListener unknownFields;

    ParamsParser(RequestLimits limits, UnknownFieldListener unknownFields) {
        this.limits = limits;
        this.unknownFields = unknownFields;
        // a deployment whose limit is below the default must still accept requests without params
        RequestParams d = RequestParams.DEFAULTS;
        this.defaults = new RequestParams(Math.min(d.maxNewTokens(), limits.maxNewTokensLimit()),
                d.temperature(), d.topP(), d.topK(), d.seed(), d.stop());
    }

    RequestParams parse(JsonNode params) throws InvalidRequestException {
        if (Fields.absent(params)) {
            return defaults;
        }
        if (!params.isObject()) {
            throw Fields.wrongType("params", "an object", params);
        }
        Fields.noteUnknown(params, "params.", FIELDS, unknownFields);
        JsonNode n;
        int maxNewTokens = Fields.absent(n = params.get("maxNewTokens")) ? defaults.maxNewTokens()
                : (int) Fields.integralIn(n, "params.maxNewTokens", SamplingParams.MIN_MAX_NEW_TOKENS,
                        limits.maxNewTokensLimit(), ErrorCode.INVALID_PARAMS);
        double temperature = Fields.absent(n = params.get("temperature")) ? defaults.temperature()
                : temperature(n);
        double topP = Fields.absent(n = params.get("topP")) ? defaults.topP() : topP(n);
        int topK = Fields.absent(n = params.get("topK")) ? defaults.topK()
                : (int) Fields.integralIn(n, "params.topK", SamplingParams.MIN_TOP_K, Integer.MAX_VALUE,
                        ErrorCode.INVALID_PARAMS);
        Long seed = Fields.absent(n = params.get("seed")) ? defaults.seed()
                : (Long) Fields.integralIn(n, "params.seed", Long.MIN_VALUE, Long.MAX_VALUE,
                        ErrorCode.INVALID_PARAMS);
        List<String> stop = Fields.absent(n = params.get("stop")) ? defaults.stop() : stop(n);
        return new RequestParams(maxNewTokens, temperature, topP, topK, seed, stop);
    }

    /** The sampler's rule (5e-324 would overflow {@code logit / T}), refused with the field's path. */
    private static double temperature(JsonNode n) throws InvalidRequestException {
        double t = Fields.number(n, "params.temperature");
        if (!SamplingParams.isValidTemperature(t)) {
            throw invalid("params.temperature must be 0 (greedy) or between " + SamplingParams.MIN_TEMPERATURE
                    + " and " + SamplingParams.MAX_TEMPERATURE + ", got " + Fields.cut(n.asText()));
        }
        return t;
    }

    private static double topP(JsonNode n) throws InvalidRequestException {
        double p = Fields.number(n, "params.topP");
        if (!SamplingParams.isValidTopP(p)) {
            throw invalid("params.topP must be in (0, 1], got " + Fields.cut(n.asText()));
        }
        return p;
    }

    private static List<String> stop(JsonNode n) throws InvalidRequestException {
        if (!n.isArray()) {
            throw Fields.wrongType("params.stop", "an array of strings", n);
        }
        if (n.size() > MAX_STOP_STRINGS) {
            throw invalid("params.stop has " + n.size() + " strings, at most "
                    + MAX_STOP_STRINGS + " allowed");
        }
        List<String> stop = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            String path = "params.stop[" + i + "]";
            String s = Fields.text(n.get(i), path);
            if (!SamplingParams.isValidStopString(s)) {
                throw invalid(path + " is empty");
            }
            if (s.codePointCount(0, s.length()) > MAX_STOP_CHARS) {
                throw invalid(path + " is longer than " + MAX_STOP_CHARS + " chars");
            }
            stop.add(s);
        }
        return stop;
    }

    private static InvalidRequestException invalid(String message) {
        return Fields.fail(ErrorCode.INVALID_PARAMS, message);
    }
}
