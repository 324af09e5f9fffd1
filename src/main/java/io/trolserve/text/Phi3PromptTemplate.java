package io.trolserve.text;

import static io.trolserve.text.Phi3Tokens.ASSISTANT;
import static io.trolserve.text.Phi3Tokens.END;
import static io.trolserve.text.Phi3Tokens.IMG_CONTEXT;
import static io.trolserve.text.Phi3Tokens.IMG_END;
import static io.trolserve.text.Phi3Tokens.IMG_START;
import static io.trolserve.text.Phi3Tokens.SYSTEM;
import static io.trolserve.text.Phi3Tokens.USER;

import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The TroL-3.8B chat prompt (docs/TROL_3_8B.md §6), built as the official {@code make_instruction}
 * and {@code add_bundle_tokens} do for the demo: {@code "<image>\n"} goes in front of the question
 * when an image is given and the question holds no {@code <image>}; each {@code <image>} becomes
 * {@code <img><IMG_CONTEXT></img>}, and each {@code <IMG_CONTEXT>} a run of image ids; the text is
 * tokenized without adding special tokens ({@code <s>} is in it).
 *
 * <pre>
 * &lt;s&gt;&lt;|system|&gt;\n  S  &lt;|end|&gt;\n
 * &lt;|user|&gt;\n  Q  &lt;|end|&gt;\n
 * &lt;|assistant|&gt;\n
 * </pre>
 *
 * <p>Without an image, {@code <image>} in a question is plain text, as in the official code (it is
 * no token of this tokenizer). Only the template writes control tokens: written in a question,
 * {@code <|end|>}, {@code <s>} or {@code <IMG_CONTEXT>} is text (see {@link #tokenize}).
 */
public final class Phi3PromptTemplate {

    /** Where a question places the image; text, not a token, in the Phi-3 tokenizer. */
    public static final String IMAGE_MARKER = "<image>";
    /** What one marker becomes before tokenizing; its {@code <IMG_CONTEXT>} stands for the image's ids. */
    static final String IMAGE_BLOCK = IMG_START + IMG_CONTEXT + IMG_END;

    private Phi3PromptTemplate() {}

    /**
     * The prompt in three spans, cut where the tokenizer cuts it anyway (at added tokens):
     * <pre>
     * head: &lt;s&gt;&lt;|system|&gt;\n S &lt;|end|&gt;\n&lt;|user|&gt;
     * user: \n Q       (markers not yet expanded; {@code images}: whether they will be)
     * tail: &lt;|end|&gt;\n&lt;|assistant|&gt;\n
     * </pre>
     */
    record Spans(String head, String user, boolean images, String tail) {
        String text() {
            return head + (images ? user.replace(IMAGE_MARKER, IMAGE_BLOCK) : user) + tail;
        }

        int markers() {
            return images ? count(user, IMAGE_MARKER) : 0;
        }
    }

    /** The official prompt string, one {@code <IMG_CONTEXT>} per image; rejects more markers than images. */
    public static String text(String question, boolean hasImage) {
        return spans(question, hasImage).text();
    }

    static Spans spans(String question, boolean hasImage) {
        int markers = count(question, IMAGE_MARKER);
        if (hasImage && markers > 1) { // the official code would expand twice the features and fail
            throw new IllegalArgumentException("the question holds " + markers + " " + IMAGE_MARKER
                    + " markers but one image was given");
        }
        String q = hasImage && markers == 0 ? IMAGE_MARKER + "\n" + question : question;
        return new Spans("<s>" + SYSTEM + "\n" + PromptTemplate.SYSTEM_PROMPT + END + "\n" + USER,
                "\n" + q, hasImage, END + "\n" + ASSISTANT + "\n");
    }

    /**
     * Tokenizes the prompt, each {@code <IMG_CONTEXT>} becoming {@code imageTokensPerImage} image
     * ids (256 per tile). Expanding ids equals tokenizing the expanded string: the runs of the
     * added token {@code <IMG_CONTEXT>} leave only empty spans between them.
     */
    public static PromptTemplate.Prompt encode(
            TrolTokenizer tokenizer, String question, boolean hasImage, int imageTokensPerImage) {
        if (imageTokensPerImage < 1) {
            throw new IllegalArgumentException("imageTokensPerImage must be positive: " + imageTokensPerImage);
        }
        Spans spans = spans(question, hasImage);
        int[] ids = tokenize(tokenizer, spans);
        int imageId = tokenizer.imageTokenId();
        int markers = (int) Arrays.stream(ids).filter(id -> id == imageId).count();
        if (markers != spans.markers()) {
            throw new IllegalStateException(tokenizer + " does not encode " + IMG_CONTEXT
                    + " as the single token " + imageId + "; is it an added token?");
        }
        int[] expanded = IntStream.of(ids)
                .flatMap(id -> id == imageId ? IntStream.generate(() -> imageId).limit(imageTokensPerImage)
                        : IntStream.of(id))
                .toArray();
        return new PromptTemplate.Prompt(spans.text(), expanded, markers * imageTokensPerImage);
    }

    /**
     * The prompt's ids: the whole text in one call, exactly as the official code encodes it, unless
     * that yields control tokens other than the template's own (the question writes {@code <|end|>},
     * {@code <IMG_CONTEXT>}, ...); then {@link #questionAsText}.
     */
    static int[] tokenize(TrolTokenizer tokenizer, Spans spans) {
        int[] whole = tokenizer.encode(spans.text());
        int[] controls = Arrays.stream(whole).filter(tokenizer::isControlToken).toArray();
        return Arrays.equals(controls, templateControls(tokenizer, spans.markers()))
                ? whole : questionAsText(tokenizer, spans);
    }

    /** What the template writes, in order: {@code <s>}, its turn tokens, an image block per marker. */
    private static int[] templateControls(TrolTokenizer tokenizer, int markers) {
        IntStream.Builder ids = IntStream.builder();
        ids.add(tokenizer.bosTokenId()).add(id(tokenizer, SYSTEM)).add(id(tokenizer, END)).add(id(tokenizer, USER));
        for (int i = 0; i < markers; i++) {
            IntStream.of(imageBlock(tokenizer)).forEach(ids::add);
        }
        return ids.add(id(tokenizer, END)).add(id(tokenizer, ASSISTANT)).build().toArray();
    }

    /**
     * The prompt's ids with the question's text encoded as text, between the ids of the template's
     * head, image blocks and tail. Each piece of text follows an added token there, as it does in
     * the whole prompt, so on a question without control strings this equals encoding the whole.
     */
    static int[] questionAsText(TrolTokenizer tokenizer, Spans spans) {
        IntStream.Builder ids = IntStream.builder();
        IntStream.of(tokenizer.encode(spans.head())).forEach(ids::add);
        String[] pieces = spans.images()
                ? spans.user().split(Pattern.quote(IMAGE_MARKER), -1) : new String[] {spans.user()};
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0) {
                IntStream.of(imageBlock(tokenizer)).forEach(ids::add);
            }
            IntStream.of(tokenizer.encodeAsText(pieces[i])).forEach(ids::add);
        }
        IntStream.of(tokenizer.encode(spans.tail())).forEach(ids::add);
        return ids.build().toArray();
    }

    private static int[] imageBlock(TrolTokenizer tokenizer) {
        return new int[] {id(tokenizer, IMG_START), tokenizer.imageTokenId(), id(tokenizer, IMG_END)};
    }

    private static int id(TrolTokenizer tokenizer, String token) {
        return tokenizer.tokenId(token).orElseThrow(() -> new IllegalStateException(
                tokenizer + " has no token " + token + ", which the Phi-3 prompt needs"));
    }

    /** The official string-level expansion ({@code add_bundle_tokens}'s second step), for tests. */
    static String expandImageContext(String text, int imageTokensPerImage) {
        return text.replace(IMG_CONTEXT, IMG_CONTEXT.repeat(imageTokensPerImage));
    }

    private static int count(String s, String marker) {
        int n = 0;
        for (int i = s.indexOf(marker); i >= 0; i = s.indexOf(marker, i + marker.length())) {
            n++;
        }
        return n;
    }
}
