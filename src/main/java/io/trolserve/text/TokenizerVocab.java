package io.trolserve.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trolserve.model.checkpoint.CheckpointException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Token string to id, read from tokenizer.json: the model's vocabulary plus the added tokens.
 * DJL's binding offers no token-to-id lookup, so it is read here once, at load.
 */
record TokenizerVocab(Map<String, Integer> ids, int size) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static TokenizerVocab read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw CheckpointException.inFile(file, "not valid JSON: " + e.getMessage(), e);
        }
        JsonNode vocab = root.path("model").path("vocab");
        Map<String, Integer> ids = new HashMap<>();
        if (vocab.isObject()) { // BPE, WordPiece, WordLevel: {"piece": id}
            for (Map.Entry<String, JsonNode> e : vocab.properties()) {
                ids.put(e.getKey(), e.getValue().asInt());
            }
        } else if (vocab.isArray()) { // Unigram: [["piece", score]], id = position
            for (int id = 0; id < vocab.size(); id++) {
                ids.put(vocab.get(id).path(0).asText(), id);
            }
        } else {
            throw CheckpointException.inFile(file, "has no model.vocab");
        }
        for (JsonNode added : root.path("added_tokens")) {
            ids.put(added.path("content").asText(), added.path("id").asInt());
        }
        int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        return new TokenizerVocab(Map.copyOf(ids), size);
    }
}
