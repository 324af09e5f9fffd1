package io.trolserve.train;

/**
 * The colours shapes are painted in: saturated, far from each other (at least 80 apart in RGB)
 * and far from the light background, so a small model can tell them apart after a 112 px resize.
 */
public enum ShapeColour {
    RED("red", 210, 30, 30),
    GREEN("green", 30, 160, 50),
    BLUE("blue", 30, 70, 210),
    YELLOW("yellow", 225, 205, 0),
    PURPLE("purple", 130, 40, 170),
    ORANGE("orange", 240, 120, 0);

    private final String word;
    private final int red;
    private final int green;
    private final int blue;

    ShapeColour(String word, int red, int green, int blue) {
        this.word = word;
        this.red = red;
        this.green = green;
        this.blue = blue;
    }

    /** The adjective as questions and answers spell it: "red". */
    public String word() {
        return word;
    }

    public int red() {
        return red;
    }

    public int green() {
        return green;
    }

    public int blue() {
        return blue;
    }

    /** Channel {@code c} of the RGB triple: 0 red, 1 green, 2 blue. */
    public int channel(int c) {
        return switch (c) {
            case 0 -> red;
            case 1 -> green;
            case 2 -> blue;
            default -> throw new IllegalArgumentException("channel " + c);
        };
    }
}
