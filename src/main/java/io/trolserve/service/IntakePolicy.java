package io.trolserve.service;

import java.util.List;
import java.util.Set;

import io.trolserve.messaging.MessagingSettings;
import io.trolserve.messaging.contract.RequestLimits;
import io.trolserve.messaging.contract.RequestParser;
import io.trolserve.messaging.contract.UnknownFieldListener;
import io.trolserve.vision.DecodeBudget;
import io.trolserve.vision.DecodeLimits;
import io.trolserve.vision.ImageFetcher;

/**
 * How a request is read before it reaches the engine: the parser's limits and who hears of
 * unknown fields, where images may be fetched from, and how they are decoded. The service takes
 * it from trol.messaging.*; the command line and the benchmarks trust their user's files.
 */
public record IntakePolicy(RequestLimits limits, UnknownFieldListener unknownFields, ImageFetcher.Policy images,
                           DecodeLimits decode) {

    /** The service's policy; checked here, before any model loads. */
    public static IntakePolicy of(MessagingSettings messaging, UnknownFieldListener unknownFields) {
        DecodeLimits decode;
        try {
            DecodeBudget budget = DecodeBudget.forImagesUpTo(messaging.maxImagePixels(), messaging.maxDecodingPixels());
            decode = new DecodeLimits(messaging.maxImagePixels(), messaging.maxDecodeTime(), budget);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("trol.messaging.max-decoding-pixels, max-image-pixels or max-decode-time: "
                    + e.getMessage(), e);
        }
        ImageFetcher.Policy images = new ImageFetcher.Policy(messaging.imageFileRoot(), false,
                Set.copyOf(messaging.imageHttpHosts().orElse(List.of())), messaging.imageConnectTimeout(),
                messaging.imageReadTimeout(), RequestLimits.DEFAULTS.maxInlineImageBytes());
        return new IntakePolicy(RequestLimits.DEFAULTS.withMaxIdBytes(messaging.maxIdBytes()), unknownFields, images,
                decode);
    }

    /** For the command line and the benchmarks: default limits, any local file, nothing over the network. */
    public static IntakePolicy localTool(long maxPixels) {
        return new IntakePolicy(RequestLimits.DEFAULTS, UnknownFieldListener.IGNORE,
                ImageFetcher.Policy.localTool(RequestLimits.DEFAULTS.maxInlineImageBytes()),
                DecodeLimits.standalone(maxPixels));
    }

    RequestParser parser() {
        return new RequestParser(limits, unknownFields);
    }
}
