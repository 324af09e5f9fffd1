package io.trolserve.model;

import java.util.Random;

/** Token-id prompts shaped like a TroL prompt: text, then an image's tokens, then more text. */
public final class TestPrompts {

    private TestPrompts() {
    }

    /** Ids avoid the special tokens (0..2) and the end-of-turn range at the top of the vocabulary. */
    public static int[] randomPrompt(Random random, TrolModel model, int imageTokens) {
        return randomPrompt(random, (TrolConfig) model.config(), imageTokens);
    }

    public static int[] randomPrompt(Random random, TrolConfig c, int imageTokens) {
        int before = 9 + random.nextInt(8);
        int after = 5 + random.nextInt(8);
        int[] ids = new int[before + imageTokens + after];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i >= before && i < before + imageTokens ? c.imageTokenId() : 3 + random.nextInt(c.vocabSize() - 6);
        }
        ids[0] = c.bosTokenId();
        return ids;
    }
}
