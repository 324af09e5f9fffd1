package io.trolserve.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Token string to id, read from tokenizer.json: the model's vocabulary plus the added tokens
 * ({@code added}: those alone, which the native tokenizer cuts out of raw text before the model
 * sees it). DJL's binding offers no token-to-id lookup, so it is read here once, at load.
 */
record TokenizerVocab(Map<String, Integer> ids, Map<String, Integer> added, int size) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode parse(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw TokenizerException.inFile(file, "not valid JSON: " + e.getMessage(), e);
        }
    }

    static TokenizerVocab of(JsonNode root, Path file) {
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
            throw TokenizerException.inFile(file, "has no model.vocab");
        }
        Map<String, Integer> added = new HashMap<>();
        for (JsonNode token : root.path("added_tokens")) {
            added.put(token.path("content").asText(), token.path("id").asInt());
        }
        ids.putAll(added);
        int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        return new TokenizerVocab(Map.copyOf(ids), Map.copyOf(added), size);
    }
}
