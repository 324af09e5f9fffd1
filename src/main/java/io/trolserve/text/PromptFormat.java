package io.trolserve.text;

/**
 * The chat formats a TroL model can be trained with; a model names its own, and
 * {@link PromptTemplate} writes a prompt in it. A second format (Phi-3's {@code <|user|>} turns,
 * for TroL-3.8B) is a second constant here and a second case there.
 */
public enum PromptFormat {
    /** InternLM2's turns, as TroL-1.8B and 7B use them (TROL_SPEC §3). */
    INTERNLM2_CHAT
}
