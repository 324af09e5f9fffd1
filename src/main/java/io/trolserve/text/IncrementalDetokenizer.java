package io.trolserve.text;

import java.util.Arrays;

/**
 * Turns generated token ids, one at a time, into text deltas for streaming. One per request; not
 * thread-safe.
 *
 * <p>Decoding token by token is wrong twice over: a character may span several byte-fallback
 * tokens ({@code <0xF0><0x9F><0x9A><0x80>} is one emoji), and a sentencepiece decoder may treat
 * the first token of a sequence differently (stripping its leading space). So, as vLLM's
 * incremental detokenizer does, each step decodes a short window with some context before it:
 *
 * <pre>
 *   ids:  [ ... emitted, no longer read ... | prefix .. read) | read .. count )
 *                                           '-- context ---'  '-- new ------'
 *   delta = decode(ids[prefix, count)) minus its first decode(ids[prefix, read)).length() chars
 * </pre>
 *
 * While the window's text ends in U+FFFD, the mark of an incomplete UTF-8 sequence, the delta is
 * held back ("") and the offsets stay; they move only when text is emitted. The deltas, followed
 * by {@link #flush()}, concatenate to {@code tokenizer.decode(all ids)}. Special tokens come out
 * as their text (see {@link TrolTokenizer#decode}), so the caller stops before feeding the stop
 * token.
 */
public final class IncrementalDetokenizer {

    private static final char REPLACEMENT = '\uFFFD';

    private final TrolTokenizer tokenizer;
    private int[] ids = new int[64];
    private int count;
    private int prefixOffset;
    private int readOffset;

    public IncrementalDetokenizer(TrolTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one token; returns the text it completes, or "" while a character is incomplete. */
    public String next(int tokenId) {
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, 2 * count);
        }
        ids[count++] = tokenId;
        String context = decode(prefixOffset, readOffset);
        String text = decode(prefixOffset, count);
        if (text.length() <= context.length() || text.charAt(text.length() - 1) == REPLACEMENT) {
            return "";
        }
        prefixOffset = readOffset;
        readOffset = count;
        return text.substring(context.length());
    }

    /** The text still held back, unfinished characters as U+FFFD; call when the stream ends. */
    public String flush() {
        String context = decode(prefixOffset, readOffset);
        String text = decode(prefixOffset, count);
        prefixOffset = readOffset;
        readOffset = count;
        return text.length() > context.length() ? text.substring(context.length()) : "";
    }

    /** The ids fed so far. */
    public int[] tokenIds() {
        return Arrays.copyOf(ids, count);
    }

    private String decode(int from, int to) {
        return tokenizer.decode(Arrays.copyOfRange(ids, from, to));
    }
}
