package io.trolserve.text;

import java.util.List;

/**
 * The added tokens of TroL-3.8B's Phi-3 tokenizer (docs/TROL_3_8B.md §1.5): Phi-3's eleven chat
 * tokens, then InternVL's image and box tokens, in id order (32000..32019 in the published file;
 * {@code <unk>} 0, {@code <s>} 1, {@code </s>} 2 come from the Llama vocabulary).
 */
public final class Phi3Tokens {

    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String ASSISTANT = "<|assistant|>";
    public static final String SYSTEM = "<|system|>";
    /** Ends a turn; generation stops on it (§6). */
    public static final String END = "<|end|>";
    public static final String USER = "<|user|>";
    public static final String IMG_START = "<img>";
    public static final String IMG_END = "</img>";
    /** The image-context token: one per image feature, {@code config.image_token_index}. */
    public static final String IMG_CONTEXT = "<IMG_CONTEXT>";

    /** Every added token in id order, as §1.5 lists them. */
    public static final List<String> ADDED = List.of(
            END_OF_TEXT, ASSISTANT,
            "<|placeholder1|>", "<|placeholder2|>", "<|placeholder3|>", "<|placeholder4|>",
            SYSTEM, END, "<|placeholder5|>", "<|placeholder6|>", USER,
            IMG_START, IMG_END, IMG_CONTEXT, "<quad>", "</quad>", "<ref>", "</ref>", "<box>", "</box>");

    private Phi3Tokens() {}
}
