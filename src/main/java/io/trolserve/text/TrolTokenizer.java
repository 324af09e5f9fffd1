package io.trolserve.text;

import ai.djl.engine.EngineException;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The TroL (InternLM2) tokenizer, read from a checkpoint's {@code tokenizer.json} through DJL's
 * binding of Hugging Face tokenizers (TROL_SPEC §1 "tokenizer", §3).
 *
 * <p><b>Encoding</b> adds no special tokens, never truncates and never pads: the prompt template
 * writes {@code <s>} itself (the official code tokenizes with {@code add_special_tokens=False}),
 * and a TroL prompt (~1300 tokens) is longer than the 512 tokens DJL truncates to by default.
 *
 * <p><b>Decoding</b> keeps the text of special tokens, as the official demo decodes with
 * {@code skip_special_tokens=False}. The engine stops before the stop token, so an answer never
 * holds one; a special token inside an answer stays visible rather than vanishing.
 *
 * <p><b>Threads</b>: {@link #encode}, {@link #encodeAsText}, {@link #decode} and {@link #tokenId}
 * may run on several threads at once: after {@link #load} the native tokenizers are only read
 * (their BPE caches have their own locks) and the id maps are immutable. {@link #close()} must not
 * race with a call in flight; encode or decode after close throws {@link IllegalStateException}.
 */
public final class TrolTokenizer implements AutoCloseable {

    public static final String FILE_NAME = "tokenizer.json";
    public static final String UNK = "<unk>";
    public static final String BOS = "<s>";
    public static final String EOS = "</s>";
    /** Ends a turn; generation stops on it (TROL_SPEC §3). */
    public static final String END_OF_TURN = "[UNUSED_TOKEN_145]";
    /** Starts a turn: {@code [UNUSED_TOKEN_146]user\n}. */
    public static final String START_OF_TURN = "[UNUSED_TOKEN_146]";
    /** Added token marking where image features go; its id is the text vocabulary size V. */
    public static final String IMAGE = "<image>";

    private final HuggingFaceTokenizer hf;
    private final LiteralTextEncoder literal;
    private final Map<String, Integer> ids;
    private final int size;
    private final Path file;

    private TrolTokenizer(HuggingFaceTokenizer nativeTokenizer, LiteralTextEncoder literal, TokenizerVocab vocab,
            Path file) {
        this.hf = nativeTokenizer;
        this.literal = literal;
        this.ids = vocab.ids();
        this.size = vocab.size();
        this.file = file;
    }

    /** Loads {@code checkpointDir/tokenizer.json}; fails with a message naming the file. */
    public static TrolTokenizer load(Path checkpointDir) {
        Path file = checkpointDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw missing(checkpointDir, file);
        }
        JsonNode json = TokenizerVocab.parse(file);
        TokenizerVocab vocab = TokenizerVocab.of(json, file);
        NativeTokenizers.pinDefaults();
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (EngineException e) {
            throw NativeTokenizers.notLoaded(e);
        } catch (IOException | RuntimeException e) { // the Rust parser's error, as a message
            throw TokenizerException.inFile(
                    file, "not a valid Hugging Face tokenizer.json: " + e.getMessage(), e);
        }
        NativeTokenizers.checkPlainEncoding(tokenizer, file);
        try {
            return new TrolTokenizer(tokenizer, LiteralTextEncoder.create(json, vocab, file), vocab, file);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    private static TokenizerException missing(Path dir, Path file) {
        if (Files.isRegularFile(dir.resolve("tokenizer.model"))) {
            return TokenizerException.inFile(file, "missing; the checkpoint has only a"
                    + " sentencepiece tokenizer.model, and trol-serve reads tokenizer.json."
                    + " Produce it once, on a machine with Python and transformers: python -c"
                    + " \"from transformers import AutoTokenizer;"
                    + " AutoTokenizer.from_pretrained('" + dir + "', trust_remote_code=True,"
                    + " use_fast=True).save_pretrained('" + dir + "')\"."
                    + " It takes a fast tokenizer class (InternLM2TokenizerFast); a slow one writes"
                    + " no tokenizer.json. " + IMAGE + " must keep its id, vocab_size.");
        }
        return TokenizerException.inFile(
                file, "missing: a TroL checkpoint needs the Hugging Face tokenizer.json");
    }

    /** Ids of {@code text}, special tokens written in it included; nothing added, cut or padded. */
    public int[] encode(String text) {
        long[] encoded = hf.encode(text, false, false).getIds();
        int[] out = new int[encoded.length];
        for (int i = 0; i < encoded.length; i++) {
            out[i] = (int) encoded[i];
        }
        return out;
    }

    /**
     * Ids of user text: like {@link #encode}, but every added token other than {@code <image>}
     * written in it is encoded as plain text (see {@link LiteralTextEncoder}), and the text is taken
     * as the span after a token, the place a question has in the prompt.
     */
    public int[] encodeAsText(String text) {
        return literal.encode(text, imageTokenId());
    }

    /** Whether {@code id} is an added token other than {@code <image>}: one only the template may write. */
    public boolean isControlToken(int id) {
        return literal.isControlToken(id);
    }

    /** The text of {@code ids}, special tokens as their text; rejects ids it does not know. */
    public String decode(int[] ids) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= size) { // the native decoder would silently drop them
                throw new IllegalArgumentException(
                        "token id " + ids[i] + " outside 0.." + (size - 1));
            }
            wide[i] = ids[i];
        }
        return hf.decode(wide, false);
    }

    /** The id of a token string (vocabulary piece or added token), if the tokenizer has it. */
    public OptionalInt tokenId(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Number of token ids, added tokens included: V + 1 for TroL, as &lt;image&gt; is id V. */
    public int size() {
        return size;
    }

    public int imageTokenId() {
        return required(IMAGE);
    }

    public int bosTokenId() {
        return required(BOS);
    }

    public int eosTokenId() {
        return required(EOS);
    }

    /**
     * Fails unless this tokenizer belongs with weights of this vocabulary: {@code <image>} must be
     * id V (the extra embedding row), no id may reach past it, and EOS must agree with config.json.
     * A mismatch would not crash; it would silently feed the wrong embedding rows.
     */
    public void checkFits(int vocabSize, int configEosTokenId) {
        if (imageTokenId() != vocabSize) {
            throw TokenizerException.inFile(file, IMAGE + " has id " + imageTokenId() + " but config.json's vocab_size is "
                    + vocabSize + "; the tokenizer and the weights do not belong together");
        }
        if (size > vocabSize + 1) {
            throw TokenizerException.inFile(file, "holds " + size + " ids, more than the " + (vocabSize + 1)
                    + " embedding rows of the weights");
        }
        if (eosTokenId() != configEosTokenId) {
            throw TokenizerException.inFile(file, EOS + " has id " + eosTokenId() + " but config.json says eos_token_id "
                    + configEosTokenId);
        }
    }

    public int endOfTurnTokenId() {
        return required(END_OF_TURN);
    }

    public int startOfTurnTokenId() {
        return required(START_OF_TURN);
    }

    private int required(String token) {
        return tokenId(token).orElseThrow(() -> TokenizerException.inFile(file,
                "has no token " + token + ", which the TroL prompt needs"));
    }

    /** Frees the native tokenizers; idempotent. */
    @Override
    public void close() {
        hf.close();
        literal.close();
    }

    @Override
    public String toString() {
        return "TrolTokenizer[" + file + ", " + size + " ids]";
    }
}
