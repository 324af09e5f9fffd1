package io.trolserve.messaging.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Set;

/**
 * Typed access to request JSON: each accessor names the field path in its error, and none coerces
 * (a string "12" is not a number; 12.5 is not an integer; 12.0 is, as in JSON Schema).
 */
final class Fields {

    private static final int MAX_QUOTED = 64;

    private Fields() {}

    /** Absent and JSON null both mean "not given" for optional fields. */
    static boolean absent(JsonNode n) {
        return n == null || n.isNull();
    }

    static String text(JsonNode n, String path) throws InvalidRequestException {
        if (!n.isTextual()) {
            throw wrongType(path, "a string", n);
        }
        return n.textValue();
    }

    /** A number as a double: 1e400 comes back infinite, for the caller's range check to refuse. */
    static double number(JsonNode n, String path) throws InvalidRequestException {
        if (!n.isNumber()) {
            throw wrongType(path, "a number", n);
        }
        return n.doubleValue();
    }

    /**
     * The exact value of an integral number. Floats are read as BigDecimal (see RequestParser), so
     * 1e30 stays exact here and never silently wraps into an int or long.
     */
    static BigDecimal integral(JsonNode n, String path) throws InvalidRequestException {
        if (!n.isNumber()) {
            throw wrongType(path, "an integer", n);
        }
        BigDecimal v = n.decimalValue();
        if (v.signum() != 0 && v.stripTrailingZeros().scale() > 0) {
            throw wrongType(path, "an integer", n);
        }
        return v;
    }

    /** An integral number within [min, max]; outside it fails with rangeCode. */
    static long integralIn(JsonNode n, String path, long min, long max, ErrorCode rangeCode)
            throws InvalidRequestException {
        BigDecimal v = integral(n, path);
        // compareTo, not longValueExact(): a value like 1e999999999 must not be expanded
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw fail(rangeCode, path + " must be between " + min + " and " + max
                    + ", got " + cut(n.asText()));
        }
        return v.longValue();
    }

    /**
     * Tells {@code listener} about every field of {@code object} outside {@code known}: contracts
     * evolve by adding fields, so an older consumer ignores what a newer producer adds.
     */
    static void noteUnknown(JsonNode object, String prefix, Set<String> known, UnknownFieldListener listener) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                listener.unknownField(cut(prefix + name));
            }
        }
    }

    static InvalidRequestException wrongType(String path, String expected, JsonNode got) {
        return fail(ErrorCode.WRONG_TYPE, path + " must be " + expected + ", got " + kind(got));
    }

    static InvalidRequestException fail(ErrorCode code, String message) {
        return new InvalidRequestException(code, message);
    }

    /** For messages: a value in quotes, cut short so a huge field never lands in a Kafka header. */
    static String quote(String s) {
        return '"' + cut(s) + '"';
    }

    static String cut(String s) {
        String head = s.length() <= MAX_QUOTED ? s : s.substring(0, MAX_QUOTED) + "...";
        return head.replaceAll("\\p{Cntrl}", "?");
    }

    private static String kind(JsonNode n) {
        if (n.isTextual()) {
            return "string " + quote(n.textValue());
        }
        return switch (n.getNodeType()) {
            case NUMBER -> "number " + cut(n.asText());
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT -> "object";
            case NULL -> "null";
            default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
