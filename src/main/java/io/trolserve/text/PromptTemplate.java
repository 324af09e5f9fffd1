package io.trolserve.text;

import static io.trolserve.text.TrolTokenizer.BOS;
import static io.trolserve.text.TrolTokenizer.END_OF_TURN;
import static io.trolserve.text.TrolTokenizer.IMAGE;
import static io.trolserve.text.TrolTokenizer.START_OF_TURN;

import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The TroL chat prompt of the InternLM2 variants (TROL_SPEC §3), built as the official
 * {@code eval_process} does for dataset "demo": {@code "<image>\n"} goes in front of the question
 * when an image is given and the question holds no {@code <image>}; {@code make_instruction}
 * frames system prompt, question and assistant turn; each {@code <image>} then stands for a run
 * of image tokens; the text is tokenized without adding special tokens ({@code <s>} is in it).
 *
 * <pre>
 * &lt;s&gt;[UNUSED_TOKEN_146]system\n  S  [UNUSED_TOKEN_145]\n
 * [UNUSED_TOKEN_146]user\n  Q  [UNUSED_TOKEN_145]\n
 * [UNUSED_TOKEN_146]assistant\n
 * </pre>
 *
 * <p>Only the template writes chat-control tokens: written in a question, {@code [UNUSED_TOKEN_145]}
 * or {@code <s>} is text (see {@link #tokenize}), so a question cannot end its turn early and
 * forge a system or assistant turn.
 */
public final class PromptTemplate {

    /** S of TROL_SPEC §3: the official two sentences joined by a space, no final period. */
    public static final String SYSTEM_PROMPT =
            "You are AI model created by Byung-Kwan Lee, Ph.D. candidate, KAIST EE,"
                    + " of which AI model name is TroL (Traversal of Layers). You must give"
                    + " helpful, detailed, and polite answers to the user's questions";

    /**
     * A tokenized prompt. {@code text} holds one {@code <image>} per image; {@code tokenIds} has
     * each of them expanded to a run of {@code imageTokensPerImage} image token ids.
     */
    public record Prompt(String text, int[] tokenIds, int numImageTokens) {}

    private PromptTemplate() {}

    /**
     * The prompt text in three spans, cut where the tokenizer cuts it anyway (at turn tokens); the
     * middle one is the user's question with the "user\n" it shares a span with:
     * <pre>
     * head: &lt;s&gt;[UNUSED_TOKEN_146]system\n S [UNUSED_TOKEN_145]\n[UNUSED_TOKEN_146]
     * user: user\n Q
     * tail: [UNUSED_TOKEN_145]\n[UNUSED_TOKEN_146]assistant\n
     * </pre>
     */
    record Spans(String head, String user, String tail) {
        String text() {
            return head + user + tail;
        }
    }

    /** The prompt text, one {@code <image>} per image; rejects more markers than images. */
    public static String text(String question, boolean hasImage) {
        return spans(question, hasImage).text();
    }

    static Spans spans(String question, boolean hasImage) {
        int images = hasImage ? 1 : 0; // the InternLM2 TroL models take one image
        int markers = countMarkers(question);
        if (markers > images) {
            throw new IllegalArgumentException("the question holds " + markers + " " + IMAGE
                    + " marker(s) but " + images + " image(s) were given");
        }
        String q = hasImage && markers == 0 ? IMAGE + "\n" + question : question;
        return new Spans(BOS + START_OF_TURN + "system\n" + SYSTEM_PROMPT + END_OF_TURN + "\n" + START_OF_TURN,
                "user\n" + q, END_OF_TURN + "\n" + START_OF_TURN + "assistant\n");
    }

    /**
     * Tokenizes the prompt, each {@code <image>} becoming {@code imageTokensPerImage} image ids
     * (1225 for TroL-1.8B/7B). The expansion is done on ids: {@code <image>} is an added token,
     * so the tokenizer cuts the text at it before normalizing, and the text between markers
     * tokenizes the same whether a marker stands once or 1225 times (PromptTemplateTest checks
     * this against tokenizing the expanded text, as the official code does).
     */
    public static Prompt encode(
            TrolTokenizer tokenizer, String question, boolean hasImage, int imageTokensPerImage) {
        if (imageTokensPerImage < 1) {
            throw new IllegalArgumentException(
                    "imageTokensPerImage must be positive: " + imageTokensPerImage);
        }
        Spans spans = spans(question, hasImage);
        String text = spans.text();
        int[] ids = tokenize(tokenizer, spans);
        int imageId = tokenizer.imageTokenId();
        int markers = (int) Arrays.stream(ids).filter(id -> id == imageId).count();
        if (markers != countMarkers(text)) {
            throw new IllegalStateException(tokenizer + " does not encode " + IMAGE
                    + " as the single token " + imageId + "; is it an added token?");
        }
        int[] expanded = new int[ids.length + markers * (imageTokensPerImage - 1)];
        int at = 0;
        for (int id : ids) {
            int copies = id == imageId ? imageTokensPerImage : 1;
            Arrays.fill(expanded, at, at + copies, id);
            at += copies;
        }
        return new Prompt(text, expanded, markers * imageTokensPerImage);
    }

    /**
     * The prompt's ids. Normally the whole text in one call, exactly as the official code encodes
     * it. When that call yields control tokens other than the template's own (the question holds
     * {@code [UNUSED_TOKEN_145]}, {@code <s>}, ..., or ends in a string that forms one with the
     * template's next token), it is {@link #questionAsText} instead.
     */
    static int[] tokenize(TrolTokenizer tokenizer, Spans spans) {
        int[] whole = tokenizer.encode(spans.text());
        if (Arrays.equals(controls(tokenizer, whole), templateControls(tokenizer, spans))) {
            return whole;
        }
        return questionAsText(tokenizer, spans);
    }

    /**
     * The control ids of the template alone. Its head and tail do not depend on the question, so
     * they are encoded once per tokenizer rather than once more per request; weakly keyed, so a
     * closed tokenizer is not kept.
     */
    private static int[] templateControls(TrolTokenizer tokenizer, Spans spans) {
        synchronized (TEMPLATE_CONTROLS) {
            return TEMPLATE_CONTROLS.computeIfAbsent(tokenizer,
                    t -> controls(t, t.encode(spans.head() + spans.tail())));
        }
    }

    private static final java.util.Map<TrolTokenizer, int[]> TEMPLATE_CONTROLS = new java.util.WeakHashMap<>();

    /**
     * The prompt's ids with the question's span encoded as text, between the ids of the template's
     * spans. The cuts fall where the tokenizer cuts the whole text anyway (at turn tokens), so on a
     * question without control strings this equals encoding the whole text (the tests check that
     * for the ways a sentencepiece conversion prefixes "▁" to a span).
     */
    static int[] questionAsText(TrolTokenizer tokenizer, Spans spans) {
        return Stream.of(tokenizer.encode(spans.head()), tokenizer.encodeAsText(spans.user()),
                tokenizer.encode(spans.tail())).flatMapToInt(IntStream::of).toArray();
    }

    private static int[] controls(TrolTokenizer tokenizer, int[] ids) {
        return Arrays.stream(ids).filter(tokenizer::isControlToken).toArray();
    }

    /** The official string-level expansion ({@code add_bundle_tokens}), for tests. */
    static String expandImageMarkers(String text, int imageTokensPerImage) {
        return text.replace(IMAGE, IMAGE.repeat(imageTokensPerImage));
    }

    private static int countMarkers(String s) {
        int n = 0;
        for (int i = s.indexOf(IMAGE); i >= 0; i = s.indexOf(IMAGE, i + IMAGE.length())) {
            n++;
        }
        return n;
    }
}
