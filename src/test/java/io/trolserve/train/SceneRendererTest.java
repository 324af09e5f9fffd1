package io.trolserve.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.trolserve.testkit.Trials;

class SceneRendererTest {

    @Test
    void everyShapeIsItsColourInsideAndTheBackgroundIsUntouchedOutside() {
        Trials.forAll(200, SceneRendererTest::randomScene,
                scene -> {
                    byte[] rgb = SceneRenderer.render(scene);
                    assertThat(rgb).hasSize(scene.side() * scene.side() * 3);
                    for (PlacedShape shape : scene.shapes()) {
                        assertThat(pixel(rgb, scene.side(), inside(shape)))
                                .as("%s at its inside point", shape)
                                .containsExactly(shape.colour().red(), shape.colour().green(), shape.colour().blue());
                    }
                    assertBackgroundOutsideTheShapes(scene, rgb);
                });
    }

    @Test
    void noiseJittersTheBackgroundWithinItsAmplitudeAndReplaysFromItsSeed() {
        Scene noisy = new Scene(64, true, 42, List.of());
        byte[] rgb = SceneRenderer.render(noisy);
        int min = 255;
        int max = 0;
        for (byte b : rgb) {
            min = Math.min(min, b & 0xFF);
            max = Math.max(max, b & 0xFF);
        }
        assertThat(min).isEqualTo(SceneRenderer.BACKGROUND - SceneRenderer.NOISE);
        assertThat(max).isEqualTo(SceneRenderer.BACKGROUND + SceneRenderer.NOISE);
        assertThat(SceneRenderer.render(noisy)).isEqualTo(rgb);
        assertThat(SceneRenderer.render(new Scene(64, true, 43, List.of()))).isNotEqualTo(rgb);
    }

    // The rendered coverage, read back from the pixels, is the shape's true area: the geometry
    // (a five-pointed star, a triangle of the box's base and height) and the supersampling agree.
    @ParameterizedTest
    @EnumSource(ShapeKind.class)
    void aShapesPaintedAreaIsItsGeometricArea(ShapeKind kind) {
        double size = 300;
        Scene scene = new Scene(448, false, 0, List.of(new PlacedShape(kind, ShapeColour.BLUE, 224.3, 223.8, size)));
        byte[] rgb = SceneRenderer.render(scene);
        double painted = 0;
        int partial = 0;
        for (int i = 0; i < rgb.length; i += 3) {
            int red = rgb[i] & 0xFF;
            double share = (SceneRenderer.BACKGROUND - red) / (double) (SceneRenderer.BACKGROUND - ShapeColour.BLUE.red());
            painted += share;
            partial += share > 0.01 && share < 0.99 ? 1 : 0;
        }
        assertThat(painted / (size * size)).isCloseTo(areaShare(kind), within(0.005));
        assertThat(partial).as("antialiased edge pixels").isGreaterThan(100);
    }

    @Test
    void aStarHasFivePointsUpAndATrianglePointsUp() {
        double size = 2;
        for (int point = 0; point < 5; point++) {
            double tip = Math.PI * 2 * point / 5;
            double notch = tip + Math.PI / 5;
            assertThat(ShapeKind.STAR.covers(0.95 * Math.sin(tip), -0.95 * Math.cos(tip), size)).isTrue();
            assertThat(ShapeKind.STAR.covers(0.6 * Math.sin(notch), -0.6 * Math.cos(notch), size)).isFalse();
        }
        assertThat(ShapeKind.STAR.covers(0, 0.95, size)).isFalse();
        assertThat(ShapeKind.TRIANGLE.covers(0, -0.95, size)).isTrue();
        assertThat(ShapeKind.TRIANGLE.covers(0.5, -0.5, size)).isFalse();
        assertThat(ShapeKind.TRIANGLE.covers(0.95, 0.95, size)).isTrue();
        assertThat(ShapeKind.SQUARE.covers(0.95, -0.95, size)).isTrue();
        assertThat(ShapeKind.CIRCLE.covers(0.95, -0.95, size)).isFalse();
    }

    @Test
    void coloursAreFarFromEachOtherAndFromTheBackground() {
        ShapeColour[] colours = ShapeColour.values();
        for (int i = 0; i < colours.length; i++) {
            assertThat(distance(colours[i], SceneRenderer.BACKGROUND, SceneRenderer.BACKGROUND, SceneRenderer.BACKGROUND))
                    .as("%s from the background", colours[i]).isGreaterThan(150);
            for (int j = i + 1; j < colours.length; j++) {
                ShapeColour other = colours[j];
                assertThat(distance(colours[i], other.red(), other.green(), other.blue()))
                        .as("%s from %s", colours[i], other).isGreaterThanOrEqualTo(80);
            }
        }
    }

    private static Scene randomScene(SplittableRandom random) {
        SceneSampler sampler = new SceneSampler(random.nextInt(56, 449), random.split());
        int n = random.nextInt(1, 6);
        List<SceneSampler.Look> looks = new ArrayList<>();
        while (looks.size() < n) {
            looks.add(sampler.look());
        }
        // Left to right, as position and describe questions place them: at most three fit apart.
        return random.nextBoolean() ? sampler.scatter(looks) : sampler.leftToRight(looks.subList(0, Math.min(3, n)));
    }

    private static double areaShare(ShapeKind kind) {
        return switch (kind) {
            case CIRCLE -> Math.PI / 4;
            case SQUARE -> 1;
            case TRIANGLE -> 0.5;
            // Ten triangles centre-outer-inner, outer radius 1/2, inner radius by the {5/2} ratio.
            case STAR -> {
                double outer = 0.5;
                double inner = outer * Math.sin(Math.PI / 10) / Math.sin(3 * Math.PI / 10);
                yield 5 * outer * inner * Math.sin(Math.PI / 5);
            }
        };
    }

    /** A point well inside the shape: its centre, or for a triangle its incentre. */
    private static double[] inside(PlacedShape shape) {
        double y = shape.kind() == ShapeKind.TRIANGLE ? shape.centreY() + 0.191 * shape.size() : shape.centreY();
        return new double[] {shape.centreX(), y};
    }

    private static int[] pixel(byte[] rgb, int side, double[] point) {
        int at = ((int) point[1] * side + (int) point[0]) * 3;
        return new int[] {rgb[at] & 0xFF, rgb[at + 1] & 0xFF, rgb[at + 2] & 0xFF};
    }

    private static void assertBackgroundOutsideTheShapes(Scene scene, byte[] rgb) {
        int side = scene.side();
        int tolerance = scene.noisyBackground() ? SceneRenderer.NOISE : 0;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                if (touchesAShapesBox(scene, x, y)) {
                    continue;
                }
                for (int c = 0; c < 3; c++) {
                    int value = rgb[(y * side + x) * 3 + c] & 0xFF;
                    // One assertion per failure, not per pixel: AssertJ's per-call cost would
                    // dominate this test.
                    if (Math.abs(value - SceneRenderer.BACKGROUND) > tolerance) {
                        throw new AssertionError("background at (" + x + ", " + y + ") channel " + c + " is " + value);
                    }
                }
            }
        }
    }

    private static boolean touchesAShapesBox(Scene scene, int x, int y) {
        for (PlacedShape s : scene.shapes()) {
            if (x + 1 > s.left() && x < s.right() && y + 1 > s.top() && y < s.bottom()) {
                return true;
            }
        }
        return false;
    }

    private static double distance(ShapeColour colour, int red, int green, int blue) {
        return Math.sqrt(Math.pow(colour.red() - red, 2) + Math.pow(colour.green() - green, 2)
                + Math.pow(colour.blue() - blue, 2));
    }
}
