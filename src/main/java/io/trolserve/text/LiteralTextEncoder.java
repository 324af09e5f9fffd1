package io.trolserve.text;

import ai.djl.engine.EngineException;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Encodes text a user wrote so that no added-token string in it ({@code [UNUSED_TOKEN_145]},
 * {@code <s>}, {@code </s>}, {@code <|end|>}, {@code <IMG_CONTEXT>}, ...) becomes that token, and
 * with it a forged end of turn, system or assistant turn, or an image id without features. Only
 * InternLM2's {@code <image>} stays a token: TROL_SPEC §3 lets a question place the image.
 *
 * <p>It is a second native tokenizer read from the same tokenizer.json minus those added tokens, so
 * their strings reach the normalizer and the model as any text does. Two details keep its ids
 * equal to the full tokenizer's on text that holds no such string:
 * <ul>
 *   <li><b>Span context.</b> The native tokenizer cuts raw text at added tokens and normalizes and
 *       pre-tokenizes each span on its own; a sentencepiece conversion prefixes "▁" to every span
 *       (a Prepend normalizer) or only to the one at offset 0 (Metaspace, prepend scheme
 *       "first"). A question's span always follows an added token in the prompt, so here it
 *       follows one too, the anchor, whose id is dropped from the result: InternLM2's
 *       {@code <image>}, which a question may write anyway; for Phi-3, whose every added token is
 *       the template's, an added token of this copy alone, {@link #PHI3_ANCHOR} (a question that
 *       writes that string gets its bytes, as below, and a "▁" may move where it was cut).
 *   <li><b>Rebuilt pieces.</b> The control strings are vocabulary pieces as well, and BPE emits
 *       such a piece when its merges happen to rebuild the string from characters. Such an id is
 *       replaced by the string's byte-fallback pieces ({@code <0x5B>...}), which decode to the
 *       same text. TroL tokenizers are byte-fallback BPE, so text never yields {@code <unk>}.
 * </ul>
 */
final class LiteralTextEncoder implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The Phi-3 anchor: no token of any model, a string no one writes by chance. */
    static final String PHI3_ANCHOR = "<|trol-serve:span-anchor|>";

    private final HuggingFaceTokenizer withoutControlTokens;
    /** Every added token but InternLM2's {@code <image>}, by id: ids that user text must never produce. */
    private final Map<Integer, String> controlTokens;
    private final Map<String, Integer> ids;
    private final String anchor;
    /** Null when an InternLM2 tokenizer lacks {@code <image>}: it loads, but cannot encode questions. */
    private final Integer anchorId;
    private final Path file;

    private LiteralTextEncoder(HuggingFaceTokenizer withoutControlTokens, Map<Integer, String> controlTokens,
            Map<String, Integer> ids, String anchor, Integer anchorId, Path file) {
        this.withoutControlTokens = withoutControlTokens;
        this.controlTokens = controlTokens;
        this.ids = ids;
        this.anchor = anchor;
        this.anchorId = anchorId;
        this.file = file;
    }

    static LiteralTextEncoder create(JsonNode root, TokenizerVocab vocab, PromptFormat format, Path file) {
        boolean imageAnchors = format.questionMayWriteImageToken();
        String anchor = imageAnchors ? format.imageToken() : PHI3_ANCHOR;
        Map<Integer, String> control = new HashMap<>();
        vocab.added().forEach((token, id) -> {
            if (!token.equals(anchor)) {
                control.put(id, token);
            }
        });
        ObjectNode variant = ((ObjectNode) root).objectNode().setAll((ObjectNode) root); // shallow: fields shared
        ArrayNode kept = variant.putArray("added_tokens");
        if (imageAnchors) {
            root.path("added_tokens").forEach(t -> {
                if (t.path("content").asText().equals(anchor)) {
                    kept.add(t);
                }
            });
            return new LiteralTextEncoder(load(variant, file), Map.copyOf(control), vocab.ids(), anchor,
                    vocab.added().get(anchor), file);
        }
        // The native side numbers a new added token after the model's vocabulary, whatever its "id"
        // says: here that is a real added token's id, which this copy otherwise never produces.
        kept.addObject().put("id", vocab.size()).put("content", anchor).put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        HuggingFaceTokenizer copy = load(variant, file);
        long[] anchorIds = copy.encode(anchor, false, false).getIds();
        if (anchorIds.length != 1) {
            copy.close();
            throw TokenizerException.inFile(file, "its copy without control tokens does not encode the span anchor"
                    + " as one token");
        }
        return new LiteralTextEncoder(copy, Map.copyOf(control), vocab.ids(), anchor, (int) anchorIds[0], file);
    }

    private static HuggingFaceTokenizer load(ObjectNode json, Path file) {
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(JSON.writeValueAsBytes(json)),
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
            NativeTokenizers.checkPlainEncoding(tokenizer, file);
            return tokenizer;
        } catch (EngineException e) {
            throw NativeTokenizers.notLoaded(e);
        } catch (IOException | RuntimeException e) {
            throw TokenizerException.inFile(file, "cannot build its copy without control tokens, which"
                    + " questions are encoded with: " + e.getMessage(), e);
        }
    }

    /** Whether {@code id} (of the full tokenizer) is an added token only the template may write. */
    boolean isControlToken(int id) {
        return controlTokens.containsKey(id);
    }

    /** Ids of {@code text} as the span after an added token, every control string in it as text. */
    int[] encode(String text) {
        if (anchorId == null) {
            throw TokenizerException.inFile(file, "has no token " + anchor + ", which the TroL prompt needs");
        }
        long[] anchored = withoutControlTokens.encode(anchor + text, false, false).getIds();
        if (anchored.length == 0 || anchored[0] != anchorId) {
            throw new IllegalStateException(file + ": " + anchor + " + text does not start with the"
                    + " single token " + anchorId);
        }
        IntStream.Builder out = IntStream.builder();
        for (int i = 1; i < anchored.length; i++) {
            int id = (int) anchored[i];
            String control = id == anchorId && anchor.equals(PHI3_ANCHOR) ? anchor : controlTokens.get(id);
            if (control == null) {
                out.add(id);
            } else {
                for (byte b : control.getBytes(StandardCharsets.UTF_8)) {
                    out.add(bytePiece(b & 0xFF, control));
                }
            }
        }
        return out.build().toArray();
    }

    private int bytePiece(int b, String control) {
        Integer id = ids.get(String.format(Locale.ROOT, "<0x%02X>", b));
        if (id == null) {
            throw new IllegalStateException(file + " rebuilds " + control + " from text and has no byte-fallback"
                    + " piece to write it as text instead");
        }
        return id;
    }

    @Override
    public void close() {
        withoutControlTokens.close();
    }
}
