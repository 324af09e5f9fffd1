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
 * {@code <s>}, {@code </s>}, ...) becomes that token, and with it a forged end of turn, system or
 * assistant turn. Only {@code <image>} stays a token: TROL_SPEC §3 lets a question place the image.
 *
 * <p>It is a second native tokenizer read from the same tokenizer.json minus those added tokens, so
 * their strings reach the normalizer and the model as any text does. Two details keep its ids
 * equal to the full tokenizer's on text that holds no such string:
 * <ul>
 *   <li><b>Span context.</b> The native tokenizer cuts raw text at added tokens and normalizes and
 *       pre-tokenizes each span on its own; a sentencepiece conversion prefixes "▁" to every span
 *       (a Prepend normalizer) or only to the one at offset 0 (Metaspace, prepend scheme
 *       "first"). A question's span always follows an added token in the prompt, so here it
 *       follows one too: {@code <image>}, whose id is dropped from the result.
 *   <li><b>Rebuilt pieces.</b> The control strings are vocabulary pieces as well, and BPE emits
 *       such a piece when its merges happen to rebuild the string from characters. Such an id is
 *       replaced by the string's byte-fallback pieces ({@code <0x5B>...}), which decode to the
 *       same text. TroL tokenizers are byte-fallback BPE, so text never yields {@code <unk>}.
 * </ul>
 */
final class LiteralTextEncoder implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer withoutControlTokens;
    /** Every added token but {@code <image>}, by id: ids that user text must never produce. */
    private final Map<Integer, String> controlTokens;
    private final Map<String, Integer> ids;
    private final Path file;

    private LiteralTextEncoder(HuggingFaceTokenizer withoutControlTokens, Map<Integer, String> controlTokens,
            Map<String, Integer> ids, Path file) {
        this.withoutControlTokens = withoutControlTokens;
        this.controlTokens = controlTokens;
        this.ids = ids;
        this.file = file;
    }

    static LiteralTextEncoder create(JsonNode root, TokenizerVocab vocab, Path file) {
        Map<Integer, String> control = new HashMap<>();
        vocab.added().forEach((token, id) -> {
            if (!token.equals(TrolTokenizer.IMAGE)) {
                control.put(id, token);
            }
        });
        ObjectNode variant = ((ObjectNode) root).objectNode().setAll((ObjectNode) root); // shallow: fields shared
        ArrayNode kept = variant.putArray("added_tokens");
        root.path("added_tokens").forEach(t -> {
            if (t.path("content").asText().equals(TrolTokenizer.IMAGE)) {
                kept.add(t);
            }
        });
        return new LiteralTextEncoder(load(variant, file), Map.copyOf(control), vocab.ids(), file);
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

    boolean isControlToken(int id) {
        return controlTokens.containsKey(id);
    }

    /**
     * Ids of {@code text} as the span after an added token, every control string in it as text.
     *
     * @param anchorId the id of {@code <image>}, the token the span is encoded after
     */
    int[] encode(String text, int anchorId) {
        long[] anchored = withoutControlTokens.encode(TrolTokenizer.IMAGE + text, false, false).getIds();
        if (anchored.length == 0 || anchored[0] != anchorId) {
            throw new IllegalStateException(file + ": " + TrolTokenizer.IMAGE + " + text does not start with the"
                    + " single token " + anchorId);
        }
        IntStream.Builder out = IntStream.builder();
        for (int i = 1; i < anchored.length; i++) {
            int id = (int) anchored[i];
            String control = controlTokens.get(id);
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
