package io.trolserve.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.trolserve.tiny.TinyTokenizerWriter;

/** The tiny tokenizer.json edited the ways real tokenizers differ from it, written to a directory and loaded. */
final class TokenizerVariants {

    /** How a sentencepiece conversion puts "▁" in front of a span of text between added tokens. */
    enum SpanPrefix {
        /** The tiny tokenizer as written: never. */
        NONE,
        /** InternLM2's converter when the model adds a dummy prefix: a Prepend normalizer, every span. */
        EVERY_SPAN,
        /** A Metaspace pre-tokenizer with prepend scheme "first": only the span at offset 0. */
        FIRST_SPAN,
        /** A Metaspace pre-tokenizer with prepend scheme "always". */
        METASPACE_ALWAYS
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerVariants() {}

    static TrolTokenizer withSpanPrefix(Path dir, SpanPrefix prefix) throws IOException {
        return edited(dir, TinyTokenizerFixture.VOCAB_SIZE, root -> {
            switch (prefix) {
                case NONE -> { }
                case EVERY_SPAN -> {
                    ObjectNode spacesToMeta = (ObjectNode) root.get("normalizer");
                    ArrayNode steps = root.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
                    steps.addObject().put("type", "Prepend").put("prepend", "▁");
                    steps.add(spacesToMeta);
                }
                case FIRST_SPAN, METASPACE_ALWAYS -> {
                    root.putNull("normalizer"); // Metaspace writes spaces as "▁" itself
                    root.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "▁")
                            .put("prepend_scheme", prefix == SpanPrefix.FIRST_SPAN ? "first" : "always")
                            .put("split", false);
                }
            }
        });
    }

    /**
     * A tokenizer of V = 4096 (room for filler pieces) whose first fillers are renamed to
     * {@code pieces}, keeping their ids, and whose merges end with {@code merges} ("a b").
     */
    static TrolTokenizer withMerges(Path dir, List<String> pieces, List<String> merges) throws IOException {
        return edited(dir, 4096, root -> {
            ObjectNode model = (ObjectNode) root.get("model");
            ObjectNode vocab = (ObjectNode) model.get("vocab");
            for (int i = 0; i < pieces.size(); i++) {
                String filler = "[UNUSED_PIECE_" + i + "]";
                if (!vocab.has(filler)) {
                    throw new IllegalStateException("no " + filler + " to rename");
                }
                vocab.set(pieces.get(i), vocab.remove(filler));
            }
            merges.forEach(((ArrayNode) model.get("merges"))::add);
        });
    }

    private static TrolTokenizer edited(Path dir, int vocabSize, Consumer<ObjectNode> edit) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(TrolTokenizer.FILE_NAME);
        TinyTokenizerWriter.write(file, vocabSize);
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(root);
        JSON.writeValue(file.toFile(), root);
        return TrolTokenizer.load(dir);
    }
}
