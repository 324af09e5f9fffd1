package io.trolserve.text;

import ai.djl.engine.EngineException;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;

/**
 * The DJL tokenizer (0.38) behaviours trol-serve pins down, in one place.
 *
 * <ul>
 *   <li>Native library: the jar bundles libtokenizers for linux-x86_64 "cpu" and extracts it to
 *       {@code ENGINE_CACHE_DIR} (else {@code DJL_CACHE_DIR}, else {@code ~/.djl.ai}) on first
 *       use. Where DJL finds a CUDA GPU it picks a "cu1xx" flavour instead, which the jar lacks,
 *       and tries to download it from publish.djl.ai: that fails on an offline GPU host.
 *       Tokenizing never uses the GPU, so the cpu flavour is pinned.
 *   <li>Telemetry: creating a tokenizer makes DJL probe the EC2 metadata endpoint and "call
 *       home"; an offline inference service opts out.
 *   <li>Truncation and padding: DJL's defaults truncate to 512 tokens and pad; load turns both off
 *       and {@link #checkPlainEncoding} checks that the native side agrees.
 * </ul>
 *
 * <p>The first two are DJL's own switches, read from the environment or a system property; they
 * are set here as system properties, only where the operator set neither.
 */
final class NativeTokenizers {

    /** DJL 0.38 reads this name (older releases read TOKENIZERS_FLAVOR). */
    static final String FLAVOR_PROPERTY = "RUST_FLAVOR";
    static final String TRACKING_PROPERTY = "OPT_OUT_TRACKING";

    private NativeTokenizers() {}

    /** Must run before DJL's LibUtils initializes, i.e. before the first tokenizer in the JVM. */
    static void pinDefaults() {
        setUnlessChosen(FLAVOR_PROPERTY, "cpu");
        setUnlessChosen(TRACKING_PROPERTY, "true");
    }

    private static void setUnlessChosen(String name, String value) {
        if (System.getenv(name) == null && System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    static void checkPlainEncoding(HuggingFaceTokenizer tokenizer, Path file) {
        String truncation = tokenizer.getTruncation();
        String padding = tokenizer.getPadding();
        if (!"DO_NOT_TRUNCATE".equals(truncation) || !"DO_NOT_PAD".equals(padding)) {
            tokenizer.close();
            throw TokenizerException.inFile(file, "the tokenizer still truncates or pads ("
                    + truncation + ", " + padding + ") after both were turned off");
        }
    }

    static IllegalStateException notLoaded(EngineException e) {
        return new IllegalStateException("cannot load DJL's native tokenizers library (extracted"
                + " to ENGINE_CACHE_DIR, DJL_CACHE_DIR or ~/.djl.ai; flavour from "
                + FLAVOR_PROPERTY + "): " + e.getMessage(), e);
    }
}
