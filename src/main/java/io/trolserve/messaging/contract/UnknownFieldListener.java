package io.trolserve.messaging.contract;

/**
 * Hears of fields a request carries that v1 does not define ({@code "prompt"},
 * {@code "params.max_new_tokens"}, ...). They are ignored, so that producers may add fields before
 * every consumer knows them; the listener counts and logs them. Paths are cut short and stripped of
 * control characters, since field names come from the producer.
 */
@FunctionalInterface
public interface UnknownFieldListener {

    UnknownFieldListener IGNORE = path -> { };

    void unknownField(String path);
}
