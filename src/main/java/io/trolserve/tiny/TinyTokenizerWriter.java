package io.trolserve.tiny;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.trolserve.text.TrolTokenizer;

/**
 * Writes a small tokenizer.json with the InternLM2 special-token layout (TROL_SPEC §1) scaled
 * down to V = {@code vocabSize}, so tiny test checkpoints tokenize like the real one:
 *
 * <pre>
 *   0 &lt;unk&gt;   1 &lt;s&gt;   2 &lt;/s&gt;   3..258 &lt;0x00&gt;..&lt;0xFF&gt;
 *   259..   learned BPE pieces, then fillers
 *   V-2 [UNUSED_TOKEN_145] end of turn   V-1 [UNUSED_TOKEN_146] start of turn   V &lt;image&gt;
 * </pre>
 *
 * <p>A sentencepiece-style BPE: spaces become "▁" (no dummy prefix); characters outside the
 * learned alphabet fall back to their UTF-8 bytes, so any text encodes and decodes back exactly,
 * save U+2581 "▁" itself, which decodes as a space (as in sentencepiece). The special tokens are
 * {@code added_tokens} with {@code special: true, normalized: false}, so they are cut out of the
 * raw text before BPE sees it; {@code <image>} exists only there, which gives it id V. The pieces
 * are learned from {@link TinyCorpus}; the output is the same bytes for the same V, every time.
 */
public final class TinyTokenizerWriter {

    /** Below this there is hardly room for an alphabet beside the 261 fixed tokens. */
    public static final int MIN_VOCAB_SIZE = 300;

    private static final int FIRST_PIECE_ID = 3 + 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyTokenizerWriter() {}

    /** Writes the tokenizer.json of a model with {@code vocabSize} output ids. */
    public static void write(Path tokenizerJson, int vocabSize) throws IOException {
        write(tokenizerJson, vocabSize, TinyCorpus.TEXT);
    }

    /**
     * As {@link #write(Path, int)}, with the BPE pieces learned from {@code corpus} instead of the
     * built-in text: a model trained on one small language gets that language's words as single
     * tokens, and still encodes any other text through the byte tokens.
     */
    public static void write(Path tokenizerJson, int vocabSize, String corpus) throws IOException {
        if (vocabSize < MIN_VOCAB_SIZE) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the minimum "
                    + MIN_VOCAB_SIZE + " (3 special, 256 byte and 2 turn tokens, an alphabet)");
        }
        int room = vocabSize - 2 - FIRST_PIECE_ID;
        BpeTrainer.Result bpe = BpeTrainer.train(corpus.replace(" ", "▁"), room);
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.set("added_tokens", addedTokens(vocabSize));
        root.set("normalizer", replace(" ", "▁"));
        root.putNull("pre_tokenizer");
        root.putNull("post_processor"); // adds no BOS: the prompt template writes "<s>" itself
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "Sequence");
        ArrayNode decoders = decoder.putArray("decoders");
        decoders.add(replace("▁", " "));
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        root.set("model", bpeModel(vocabulary(vocabSize, bpe.pieces()), bpe.merges()));
        Files.write(tokenizerJson, JSON.writeValueAsBytes(root));
    }

    /** Token strings by id, 0..V-1; &lt;image&gt; (id V) lives only in added_tokens. */
    private static List<String> vocabulary(int vocabSize, List<String> pieces) {
        List<String> vocab = llamaVocabulary(vocabSize - 2, pieces);
        vocab.add(TrolTokenizer.END_OF_TURN);
        vocab.add(TrolTokenizer.START_OF_TURN);
        return distinct(vocab);
    }

    /**
     * The Llama-style start of a vocabulary, {@code size} ids: {@code <unk>}, {@code <s>},
     * {@code </s>}, the 256 byte tokens, the learned pieces, then fillers. The corpus runs out of
     * pairs worth merging at a few hundred pieces; fillers keep what follows at fixed ids, and no
     * merge produces one, so BPE never emits one.
     */
    static List<String> llamaVocabulary(int size, List<String> pieces) {
        List<String> vocab = new ArrayList<>(size + 2);
        vocab.add(TrolTokenizer.UNK);
        vocab.add(TrolTokenizer.BOS);
        vocab.add(TrolTokenizer.EOS);
        for (int b = 0; b < 256; b++) {
            vocab.add(String.format(Locale.ROOT, "<0x%02X>", b));
        }
        vocab.addAll(pieces);
        for (int i = 0; vocab.size() < size; i++) {
            vocab.add("[UNUSED_PIECE_" + i + "]");
        }
        return vocab;
    }

    static List<String> distinct(List<String> vocab) {
        if (new HashSet<>(vocab).size() != vocab.size()) {
            throw new IllegalStateException("a learned piece collides with a fixed token");
        }
        return vocab;
    }

    private static ArrayNode addedTokens(int vocabSize) {
        ArrayNode added = JSON.createArrayNode();
        addSpecial(added, 0, TrolTokenizer.UNK);
        addSpecial(added, 1, TrolTokenizer.BOS);
        addSpecial(added, 2, TrolTokenizer.EOS);
        addSpecial(added, vocabSize - 2, TrolTokenizer.END_OF_TURN);
        addSpecial(added, vocabSize - 1, TrolTokenizer.START_OF_TURN);
        addSpecial(added, vocabSize, TrolTokenizer.IMAGE);
        return added;
    }

    static void addSpecial(ArrayNode added, int id, String content) {
        added.addObject()
                .put("id", id)
                .put("content", content)
                .put("single_word", false)
                .put("lstrip", false)
                .put("rstrip", false)
                .put("normalized", false)
                .put("special", true);
    }

    static ObjectNode bpeModel(List<String> vocab, List<String[]> merges) {
        ObjectNode model = JSON.createObjectNode();
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", TrolTokenizer.UNK);
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true);
        model.put("byte_fallback", true);
        ObjectNode ids = model.putObject("vocab");
        for (int id = 0; id < vocab.size(); id++) {
            ids.put(vocab.get(id), id);
        }
        // "a b" strings, the merge format every tokenizers version reads; no piece holds a space.
        ArrayNode ranked = model.putArray("merges");
        merges.forEach(m -> ranked.add(m[0] + " " + m[1]));
        return model;
    }

    static ObjectNode replace(String pattern, String content) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "Replace");
        node.putObject("pattern").put("String", pattern);
        node.put("content", content);
        return node;
    }
}
