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
 * A TroL tokenizer, read from a checkpoint's {@code tokenizer.json} through DJL's binding of Hugging
 * Face tokenizers: InternLM2's (TROL_SPEC §1 "tokenizer", §3) or the Llama-style Phi-3 one of
 * TroL-3.8B (docs/TROL_3_8B.md §1.5). Which of the two it is, its {@link PromptFormat}, follows
 * from its added tokens; the format names its end-of-turn, EOS and image tokens.
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
    private final PromptFormat format;
    private final Path file;

    private TrolTokenizer(HuggingFaceTokenizer nativeTokenizer, LiteralTextEncoder literal, TokenizerVocab vocab,
            PromptFormat format, Path file) {
        this.hf = nativeTokenizer;
        this.literal = literal;
        this.ids = vocab.ids();
        this.size = vocab.size();
        this.format = format;
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
        PromptFormat format = PromptFormat.ofAddedTokens(vocab.added().keySet());
        if (format == PromptFormat.PHI3_CHAT && !vocab.added().containsKey(Phi3Tokens.IMG_CONTEXT)) {
            // the official code would map it to <unk> and feed image features onto no token at all
            throw TokenizerException.inFile(file, "is a Phi-3 tokenizer without the image-context token "
                    + Phi3Tokens.IMG_CONTEXT + " among its added tokens; TroL-3.8B's prompt needs it");
        }
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
            return new TrolTokenizer(tokenizer, LiteralTextEncoder.create(json, vocab, format, file), vocab, format,
                    file);
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

    /** The chat format this tokenizer's added tokens belong to. */
    public PromptFormat format() {
        return format;
    }

    /**
     * Ids of user text: like {@link #encode}, but every added token written in it is encoded as plain
     * text (see {@link LiteralTextEncoder}; InternLM2's {@code <image>} excepted), and the text is
     * taken as the span after a token, the place a question has in the prompt.
     */
    public int[] encodeAsText(String text) {
        return literal.encode(text);
    }

    /** Whether {@code id} is an added token only the template may write (all but InternLM2's {@code <image>}). */
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

    /** Number of token ids, added tokens included: V + 1 for InternLM2 TroL, as &lt;image&gt; is id V. */
    public int size() {
        return size;
    }

    /** The id image features stand on: {@code <image>} (InternLM2) or {@code <IMG_CONTEXT>} (Phi-3). */
    public int imageTokenId() {
        return required(format.imageToken());
    }

    public int bosTokenId() {
        return required(BOS);
    }

    /** {@code </s>} (InternLM2) or {@code <|endoftext|>} (Phi-3): generation stops on it. */
    public int eosTokenId() {
        return required(format.eos());
    }

    /**
     * Fails unless this tokenizer belongs with weights of this vocabulary, and EOS agrees with
     * config.json. InternLM2: {@code <image>} must be id V (the extra embedding row) and no id may
     * reach past it. Phi-3: every id, {@code <IMG_CONTEXT>} included, must have one of the V rows.
     * A mismatch would not crash; it would silently feed the wrong embedding rows.
     */
    public void checkFits(int vocabSize, int configEosTokenId) {
        int rows = format == PromptFormat.INTERNLM2_CHAT ? vocabSize + 1 : vocabSize;
        if (format == PromptFormat.INTERNLM2_CHAT && imageTokenId() != vocabSize) {
            throw TokenizerException.inFile(file, IMAGE + " has id " + imageTokenId() + " but config.json's vocab_size is "
                    + vocabSize + "; the tokenizer and the weights do not belong together");
        }
        if (size > rows) {
            throw TokenizerException.inFile(file, "holds " + size + " ids, more than the " + rows
                    + " embedding rows of the weights");
        }
        if (eosTokenId() != configEosTokenId) {
            throw TokenizerException.inFile(file, format.eos() + " has id " + eosTokenId()
                    + " but config.json says eos_token_id " + configEosTokenId);
        }
    }

    /** {@code [UNUSED_TOKEN_145]} (InternLM2) or {@code <|end|>} (Phi-3): generation stops on it too. */
    public int endOfTurnTokenId() {
        return required(format.endOfTurn());
    }

    public int startOfTurnTokenId() {
        return required(START_OF_TURN);
    }

    private int required(String token) {
        return tokenId(token).orElseThrow(() -> TokenizerException.inFile(file,
                "has no token " + token + ", which the " + format + " prompt needs"));
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
