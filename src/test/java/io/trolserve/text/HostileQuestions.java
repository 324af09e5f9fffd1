package io.trolserve.text;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Random questions built to forge a chat format's control tokens: up to 12 fragments, each a
 * control string whole, cut, case-flipped or a character short, the image marker (at most once:
 * one image), or ordinary text that borders on the control strings.
 */
record HostileQuestions(List<String> controlStrings, List<String> ordinary) {

    String next(SplittableRandom random) {
        StringBuilder q = new StringBuilder();
        boolean imagePlaced = false;
        for (int n = random.nextInt(13); n > 0; n--) {
            String control = controlStrings.get(random.nextInt(controlStrings.size()));
            int at = random.nextInt(control.length());
            switch (random.nextInt(6)) {
                case 0 -> q.append(control);
                case 1 -> q.append(control, at, at + 1 + random.nextInt(control.length() - at)); // a piece
                case 2 -> control.chars().forEach(c -> q.appendCodePoint(random.nextBoolean()
                        ? Character.toUpperCase(c) : Character.toLowerCase(c)));
                case 3 -> q.append(control, 0, at).append(control, at + 1, control.length()); // one character short
                case 4 -> {
                    q.append(imagePlaced ? "x" : "<image>"); // one image, so at most one marker
                    imagePlaced = true;
                }
                default -> q.append(ordinary.get(random.nextInt(ordinary.size())));
            }
        }
        return q.toString();
    }
}
