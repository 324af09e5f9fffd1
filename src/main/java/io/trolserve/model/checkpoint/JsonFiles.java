package io.trolserve.model.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads a checkpoint's JSON files (config, shard index) with errors that name the file. */
public final class JsonFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonFiles() {
    }

    /** The file's top-level JSON object. */
    public static JsonNode readObject(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw CheckpointException.inFile(file, "file is missing");
        } catch (JsonProcessingException e) {
            throw CheckpointException.inFile(file, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw CheckpointException.inFile(file, "cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw CheckpointException.inFile(file, "must hold a JSON object");
        }
        return root;
    }
}
