package io.trolserve.model;

import java.nio.file.Path;
import java.util.Iterator;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.model.checkpoint.CheckpointException;

/**
 * Typed access to config.json fields; every complaint names the file and the field. A nested
 * field is named with dots ({@code llm_config.hidden_size}) and looked up by its last part in the
 * node given.
 */
final class ConfigReader {

    private final Path file;

    ConfigReader(Path file) {
        this.file = file;
    }

    CheckpointException error(String problem) {
        return CheckpointException.inFile(file, problem);
    }

    void check(boolean condition, String problem) {
        if (!condition) {
            throw error(problem);
        }
    }

    void requireObject(JsonNode node, String field) {
        check(node.isObject(), "'" + field + "' must be a JSON object");
    }

    int requiredPositiveInt(JsonNode root, String field) {
        JsonNode v = root.get(leaf(field));
        check(v != null && !v.isNull(), "required field '" + field + "' is missing");
        check(v.isIntegralNumber() && v.canConvertToInt() && v.intValue() > 0,
                "field '" + field + "' must be a positive integer, found " + v);
        return v.intValue();
    }

    int optionalInt(JsonNode node, String dottedField, int fallback) {
        JsonNode v = node.get(leaf(dottedField));
        if (v == null || v.isNull()) {
            return fallback;
        }
        check(v.isIntegralNumber() && v.canConvertToInt() && v.intValue() > 0,
                "field '" + dottedField + "' must be a positive integer, found " + v);
        return v.intValue();
    }

    double optionalDouble(JsonNode node, String dottedField, double fallback) {
        JsonNode v = node.get(leaf(dottedField));
        if (v == null || v.isNull()) {
            return fallback;
        }
        check(v.isNumber() && v.doubleValue() > 0 && Double.isFinite(v.doubleValue()),
                "field '" + dottedField + "' must be a positive number, found " + v);
        return v.doubleValue();
    }

    String optionalString(JsonNode node, String dottedField, String fallback) {
        JsonNode v = node.get(leaf(dottedField));
        if (v == null || v.isNull()) {
            return fallback;
        }
        check(v.isTextual(), "field '" + dottedField + "' must be a string, found " + v);
        return v.textValue();
    }

    boolean optionalBoolean(JsonNode node, String field, boolean fallback) {
        JsonNode v = node.get(leaf(field));
        if (v == null || v.isNull()) {
            return fallback;
        }
        check(v.isBoolean(), "field '" + field + "' must be true or false, found " + v);
        return v.booleanValue();
    }

    /** eos_token_id is an int in InternLM2 configs but a list in some exports; take the first. */
    int tokenId(JsonNode root, String field, int fallback) {
        JsonNode v = root.get(leaf(field));
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isArray()) {
            Iterator<JsonNode> it = v.elements();
            check(it.hasNext(), "field '" + field + "' is an empty list");
            v = it.next();
        }
        check(v.isIntegralNumber() && v.canConvertToInt() && v.intValue() >= 0,
                "field '" + field + "' must be a token id, found " + v);
        return v.intValue();
    }

    private static String leaf(String dottedField) {
        int dot = dottedField.lastIndexOf('.');
        return dot < 0 ? dottedField : dottedField.substring(dot + 1);
    }
}
