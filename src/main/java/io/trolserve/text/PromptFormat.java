package io.trolserve.text;

/**
 * The chat formats a TroL model can be trained with. A model names its own, and prompts for it are
 * written through {@link #encode}; a second format (Phi-3's {@code <|user|>} turns, for TroL-3.8B)
 * is a second constant here with its own template.
 */
public enum PromptFormat {
    /** InternLM2's turns, as TroL-1.8B and 7B use them (TROL_SPEC §3): {@link PromptTemplate}. */
    INTERNLM2_CHAT;

    /**
     * The prompt for one question in this format, each {@code <image>} expanded to
     * {@code imageTokensPerImage} image ids.
     *
     * @throws IllegalArgumentException when the question holds more image markers than images
     */
    public PromptTemplate.Prompt encode(TrolTokenizer tokenizer, String question, boolean hasImage,
                                        int imageTokensPerImage) {
        return switch (this) {
            case INTERNLM2_CHAT -> PromptTemplate.encode(tokenizer, question, hasImage, imageTokensPerImage);
        };
    }
}
