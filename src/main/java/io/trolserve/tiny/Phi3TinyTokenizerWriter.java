package io.trolserve.tiny;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.trolserve.text.Phi3Tokens;
import io.trolserve.text.TrolTokenizer;

/**
 * Writes a small tokenizer.json in the layout of TroL-3.8B's Llama-style Phi-3 tokenizer
 * (docs/TROL_3_8B.md §1.5), scaled down to V = {@code vocabSize} ids, the model's vocab_size:
 *
 * <pre>
 *   0 &lt;unk&gt;   1 &lt;s&gt;   2 &lt;/s&gt;   3..258 &lt;0x00&gt;..&lt;0xFF&gt;
 *   259..V-21   learned BPE pieces, then fillers
 *   V-20..V-1   the added tokens of {@link Phi3Tokens#ADDED} in order: &lt;|endoftext|&gt; V-20,
 *               &lt;|end|&gt; V-13, &lt;|user|&gt; V-10, &lt;IMG_CONTEXT&gt; V-7, &lt;/box&gt; V-1
 * </pre>
 *
 * <p>As the published Phi-3 file (a legacy Llama conversion): no pre-tokenizer; a normalizer that
 * prepends "▁" to each span between added tokens and writes spaces as "▁"; BPE with byte fallback;
 * a decoder that turns "▁" back into spaces, bytes into characters, and strips the one leading
 * space the normalizer added. Pieces are learned by {@link BpeTrainer} from {@link TinyCorpus}; the
 * output is the same bytes for the same V, every time.
 *
 * <p>Added-token flags. {@code <unk>}, {@code <s>}, {@code </s>}: special, not normalized, as in
 * every Llama tokenizer.json. Phi-3's chat tokens and InternVL's image tokens: special, not
 * normalized, no lstrip and <b>no rstrip</b>. Which rstrip the published file holds is unknown
 * (§1.5): early Phi-3 files set it on the chat tokens, which swallows the "\n" the official prompt
 * writes after them, and later ones do not; InternVL adds its tokens with transformers' defaults
 * (no strip). Whatever a real file says, the engine applies it, as the prompt goes whole through
 * the native tokenizer.
 */
public final class Phi3TinyTokenizerWriter {

    /** 259 fixed and 20 added tokens, and room for an alphabet. */
    public static final int MIN_VOCAB_SIZE = 320;

    private static final int FIRST_PIECE_ID = 3 + 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Phi3TinyTokenizerWriter() {}

    /** The id of {@code <s>}, as in Llama-style vocabularies ({@code <unk>} 0, {@code <s>} 1, {@code </s>} 2). */
    public static final int BOS_ID = 1;

    /** The id of a Phi-3 added token in a tiny tokenizer of {@code vocabSize} ids (e.g. EOS for config.json). */
    public static int addedTokenId(int vocabSize, String token) {
        int at = Phi3Tokens.ADDED.indexOf(token);
        if (at < 0) {
            throw new IllegalArgumentException(token + " is not a Phi-3 added token");
        }
        return vocabSize - Phi3Tokens.ADDED.size() + at;
    }

    /** Writes the tokenizer.json of a model with {@code vocabSize} embedding rows. */
    public static void write(Path tokenizerJson, int vocabSize) throws IOException {
        if (vocabSize < MIN_VOCAB_SIZE) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the minimum "
                    + MIN_VOCAB_SIZE + " (3 special, 256 byte and 20 added tokens, an alphabet)");
        }
        int textIds = vocabSize - Phi3Tokens.ADDED.size();
        BpeTrainer.Result bpe = BpeTrainer.train(normalize(TinyCorpus.TEXT), textIds - FIRST_PIECE_ID);
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.set("added_tokens", addedTokens(vocabSize));
        ObjectNode normalizer = root.putObject("normalizer").put("type", "Sequence");
        ArrayNode normalizers = normalizer.putArray("normalizers");
        normalizers.addObject().put("type", "Prepend").put("prepend", "▁");
        normalizers.add(TinyTokenizerWriter.replace(" ", "▁"));
        root.putNull("pre_tokenizer");
        root.putNull("post_processor"); // adds no BOS: the prompt template writes "<s>" itself
        ObjectNode decoder = root.putObject("decoder").put("type", "Sequence");
        ArrayNode decoders = decoder.putArray("decoders");
        decoders.add(TinyTokenizerWriter.replace("▁", " "));
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        root.set("model", TinyTokenizerWriter.bpeModel(vocabulary(textIds, bpe.pieces()), bpe.merges()));
        Files.write(tokenizerJson, JSON.writeValueAsBytes(root));
    }

    /** What the normalizer makes of each line of the corpus: "▁" in front, spaces as "▁". */
    private static String normalize(String corpus) {
        return corpus.lines().map(line -> "▁" + line.replace(" ", "▁")).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    /** The BPE model's pieces by id, 0..V-21; the added tokens live only in added_tokens, at V-20.. */
    private static List<String> vocabulary(int textIds, List<String> pieces) {
        return TinyTokenizerWriter.distinct(TinyTokenizerWriter.llamaVocabulary(textIds, pieces));
    }

    private static ArrayNode addedTokens(int vocabSize) {
        ArrayNode added = JSON.createArrayNode();
        TinyTokenizerWriter.addSpecial(added, 0, TrolTokenizer.UNK);
        TinyTokenizerWriter.addSpecial(added, 1, TrolTokenizer.BOS);
        TinyTokenizerWriter.addSpecial(added, 2, TrolTokenizer.EOS);
        for (String token : Phi3Tokens.ADDED) {
            TinyTokenizerWriter.addSpecial(added, addedTokenId(vocabSize, token), token);
        }
        return added;
    }
}
