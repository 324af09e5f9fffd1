package io.trolserve.text;

import java.util.Arrays;
import java.util.List;

/**
 * The answer a user sees: the text of the generated tokens before the stop token (EOS or the
 * end-of-turn token), cut at the first stop string, trimmed, as the official
 * {@code output_filtering} does.
 */
public final class AnswerText {

    private AnswerText() {
    }

    public static String of(TrolTokenizer tokenizer, int[] generated, int[] stopTokenIds, List<String> stopStrings) {
        int end = generated.length;
        for (int i = 0; i < generated.length; i++) {
            if (contains(stopTokenIds, generated[i])) {
                end = i;
                break;
            }
        }
        String text = tokenizer.decode(Arrays.copyOf(generated, end));
        return cutAtStop(text, stopStrings).strip();
    }

    /** The answer from the text streamed token by token (stop token excluded): cut at a stop string, trimmed. */
    public static String fromStream(CharSequence streamed, List<String> stopStrings) {
        return cutAtStop(streamed.toString(), stopStrings).strip();
    }

    /** Whether the text streamed so far contains a stop string (generation should end). */
    public static boolean hitsStop(CharSequence text, List<String> stopStrings) {
        String s = text.toString();
        for (String stop : stopStrings) {
            if (s.contains(stop)) {
                return true;
            }
        }
        return false;
    }

    static String cutAtStop(String text, List<String> stopStrings) {
        int cut = text.length();
        for (String stop : stopStrings) {
            int at = text.indexOf(stop);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return text.substring(0, cut);
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }
}
