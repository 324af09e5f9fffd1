package io.trolserve.text;

import java.util.Set;

/**
 * The chat formats a TroL model can be trained with. A model names its own, and prompts for it are
 * written through {@link #encode}. Each format also names the tokens the engine and the prompt
 * need from a tokenizer: the end of a turn and the end of text (generation stops on either) and
 * the token that image features replace.
 */
public enum PromptFormat {
    /** InternLM2's turns, as TroL-1.8B and 7B use them (TROL_SPEC §3): {@link PromptTemplate}. */
    INTERNLM2_CHAT(TrolTokenizer.END_OF_TURN, TrolTokenizer.EOS, TrolTokenizer.IMAGE),
    /**
     * Phi-3's turns, as TroL-3.8B uses them (docs/TROL_3_8B.md §6): {@link Phi3PromptTemplate}.
     * EOS is {@code <|endoftext|>}, Phi-3's and the default {@code eos_token_id} 32000 of its config.
     */
    PHI3_CHAT(Phi3Tokens.END, Phi3Tokens.END_OF_TEXT, Phi3Tokens.IMG_CONTEXT);

    private final String endOfTurn;
    private final String eos;
    private final String imageToken;

    PromptFormat(String endOfTurn, String eos, String imageToken) {
        this.endOfTurn = endOfTurn;
        this.eos = eos;
        this.imageToken = imageToken;
    }

    public String endOfTurn() {
        return endOfTurn;
    }

    public String eos() {
        return eos;
    }

    /** The token each image feature stands on in the prompt's ids. */
    public String imageToken() {
        return imageToken;
    }

    /**
     * Whether a question may write the image token itself to place the image: InternLM2's
     * {@code <image>} yes; Phi-3's {@code <IMG_CONTEXT>} no, as its question places the image with
     * the text {@code <image>}, which the template expands.
     */
    boolean questionMayWriteImageToken() {
        return this == INTERNLM2_CHAT;
    }

    /** The format a tokenizer's added tokens belong to: Phi-3's when it holds {@code <|end|>}. */
    static PromptFormat ofAddedTokens(Set<String> added) {
        return added.contains(Phi3Tokens.END) ? PHI3_CHAT : INTERNLM2_CHAT;
    }

    /**
     * The prompt for one question in this format, the image expanded to {@code imageTokensPerImage}
     * image ids (1225 for TroL-1.8B/7B; 256 per tile for TroL-3.8B).
     *
     * @throws IllegalArgumentException when the question holds more image markers than images, or
     *     the tokenizer is of another format
     */
    public PromptTemplate.Prompt encode(TrolTokenizer tokenizer, String question, boolean hasImage,
                                        int imageTokensPerImage) {
        if (tokenizer.format() != this) {
            throw new IllegalArgumentException("a " + this + " prompt needs a " + this + " tokenizer, not "
                    + tokenizer + " (" + tokenizer.format() + ")");
        }
        return switch (this) {
            case INTERNLM2_CHAT -> PromptTemplate.encode(tokenizer, question, hasImage, imageTokensPerImage);
            case PHI3_CHAT -> Phi3PromptTemplate.encode(tokenizer, question, hasImage, imageTokensPerImage);
        };
    }
}
