package io.trolserve.tiny;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A small, deterministic byte-pair-encoding trainer for {@link TinyTokenizerWriter}: start from
 * single characters, repeatedly merge the most frequent adjacent pair. It takes text already
 * normalized sentencepiece-style (spaces written as "▁") and cuts it into words before every "▁"
 * and around every newline, so no learned piece spans two words. That is what lets the
 * tokenizer.json go without a pre-tokenizer, as a sentencepiece conversion does.
 *
 * <p>Determinism: words are visited in sorted order, and ties between equally frequent pairs (or
 * characters) are broken by string order, never by hash order.
 */
final class BpeTrainer {

    /** Pieces in id order (alphabet, then one per new merge) and the merges in rank order. */
    record Result(List<String> pieces, List<String[]> merges) {}

    private BpeTrainer() {}

    /** Learns at most {@code maxPieces} pieces, stopping early when no pair occurs twice. */
    static Result train(String normalizedText, int maxPieces) {
        Map<List<String>, Integer> words = splitWords(normalizedText);
        Set<String> pieces = new LinkedHashSet<>(alphabet(words, maxPieces));
        List<String[]> merges = new ArrayList<>();
        while (pieces.size() < maxPieces) {
            String[] best = mostFrequentPair(words, pieces);
            if (best == null) {
                break;
            }
            merges.add(best);
            pieces.add(best[0] + best[1]); // no-op when another pair already made this string
            words = applyMerge(words, best);
        }
        return new Result(List.copyOf(pieces), List.copyOf(merges));
    }

    /** Words as lists of one-code-point symbols, with their counts, in sorted order. */
    private static Map<List<String>, Integer> splitWords(String text) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String word : text.split("(?=▁)|(?=\n)|(?<=\n)")) {
            if (!word.isEmpty()) {
                counts.merge(word, 1, Integer::sum);
            }
        }
        Map<List<String>, Integer> words = new LinkedHashMap<>();
        counts.forEach((word, n) ->
                words.put(word.codePoints().mapToObj(Character::toString).toList(), n));
        return words;
    }

    /** The most frequent characters, at most {@code limit}; the rest are left to byte fallback. */
    private static List<String> alphabet(Map<List<String>, Integer> words, int limit) {
        Map<String, Integer> freq = new TreeMap<>();
        words.forEach((symbols, n) -> symbols.forEach(s -> freq.merge(s, n, Integer::sum)));
        return freq.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(limit)
                .map(Map.Entry::getKey)
                .toList();
    }

    /** The pair to merge next (both halves pieces), or null when none occurs twice. */
    private static String[] mostFrequentPair(Map<List<String>, Integer> words, Set<String> pieces) {
        Map<String, Integer> counts = new HashMap<>();
        Map<String, String[]> pairs = new HashMap<>();
        words.forEach((symbols, n) -> {
            for (int i = 0; i + 1 < symbols.size(); i++) {
                String a = symbols.get(i);
                String b = symbols.get(i + 1);
                if (pieces.contains(a) && pieces.contains(b)) {
                    String key = a + '\u0000' + b; // NUL never occurs in the corpus
                    counts.merge(key, n, Integer::sum);
                    pairs.putIfAbsent(key, new String[] {a, b});
                }
            }
        });
        return counts.entrySet().stream()
                .filter(e -> e.getValue() >= 2)
                .min(Comparator.<Map.Entry<String, Integer>>comparingInt(e -> -e.getValue())
                        .thenComparing(Map.Entry::getKey))
                .map(e -> pairs.get(e.getKey()))
                .orElse(null);
    }

    /** Replaces each occurrence of the pair left to right, as the BPE encoder applies a merge. */
    private static Map<List<String>, Integer> applyMerge(
            Map<List<String>, Integer> words, String[] pair) {
        Map<List<String>, Integer> merged = new LinkedHashMap<>();
        words.forEach((symbols, n) -> {
            List<String> out = new ArrayList<>(symbols.size());
            for (int i = 0; i < symbols.size(); i++) {
                boolean match = i + 1 < symbols.size()
                        && symbols.get(i).equals(pair[0])
                        && symbols.get(i + 1).equals(pair[1]);
                out.add(match ? pair[0] + pair[1] : symbols.get(i));
                if (match) {
                    i++;
                }
            }
            merged.merge(List.copyOf(out), n, Integer::sum);
        });
        return merged;
    }
}
