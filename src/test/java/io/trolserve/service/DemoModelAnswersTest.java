package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.trolserve.engine.EngineConfig;
import io.trolserve.engine.RequestOutput;
import io.trolserve.model.Placement;
import io.trolserve.train.DemoModel;
import io.trolserve.train.PlacedShape;
import io.trolserve.train.Scene;
import io.trolserve.train.ShapeColour;
import io.trolserve.train.ShapeKind;

/**
 * The first minute: the demo TroL shipped in the jar, unpacked as the service does with no
 * checkpoint configured, answers the README's questions about {@code docs/demo.png} and a few
 * fixed pictures exactly, through the serving stack (JSON record, PNG decode, template, engine).
 * The expected answers are the right ones; they are asserted because this model gets them right.
 */
class DemoModelAnswersTest {

    @TempDir
    static Path cache;

    private static ServingStack stack;

    @BeforeAll
    static void start() throws Exception {
        Path dir = DemoCheckpoint.ensureUnpacked(cache);
        assertThat(dir.getFileName().toString()).isEqualTo(DemoCheckpoint.NAME);
        stack = ServingStack.start(new ModelChoice(dir, Placement.cpuFloat32(), 1), model -> EngineConfig.defaults(64),
                IntakePolicy.localTool(1L << 20));
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    /** docs/demo.png: one yellow star. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "What shape is this?|It is a star.",
        "What colour is the shape?|The shape is yellow.",
        "Describe the picture.|There is a yellow star.",
        "How many shapes are there?|There is one shape."})
    void answersTheReadmesQuestionsAboutTheDemoPicture(String question, String answer) throws Exception {
        byte[] png = Files.readAllBytes(Path.of("docs/demo.png"));
        assertThat(ask(question, png)).isEqualTo(answer);
    }

    /**
     * Two and three shapes: counted, by kind too, and asked yes or no. Not the colour of one kind
     * or the kind of one colour among several shapes, nor their description: the model gets those
     * about half right (BENCHMARKS.md, "Fifth round"; on these pictures it often names one shape's
     * colour for both), and a case it happens to get right would pin a coin toss.
     */
    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "two|How many shapes are there?|There are two shapes.",
        "two|How many circles are there?|There is one circle.",
        "two|Is there a blue star in the picture?|Yes, there is.",
        "two|Is there a square in the image?|No, there is not.",
        "two|Is there a star in the picture?|Yes, there is.",
        "two|Is there a purple square in the picture?|No, there is not.",
        "two|Is there a red circle in the image?|Yes, there is.",
        "three|Is there a green triangle in the picture?|Yes, there is.",
        "three|How many squares are there?|There is one square.",
        "three|Is there a blue square in the picture?|Yes, there is.",
        "three|Is there a star in the image?|No, there is not."})
    void answersAboutSeveralShapes(String picture, String question, String answer) throws Exception {
        Scene scene = picture.equals("two")
                ? new Scene(DemoModel.IMAGE_SIDE, false, 0, List.of(
                        new PlacedShape(ShapeKind.CIRCLE, ShapeColour.RED, 28, 56, 36),
                        new PlacedShape(ShapeKind.STAR, ShapeColour.BLUE, 84, 56, 36)))
                : new Scene(DemoModel.IMAGE_SIDE, false, 0, List.of(
                        new PlacedShape(ShapeKind.CIRCLE, ShapeColour.RED, 25, 30, 28),
                        new PlacedShape(ShapeKind.SQUARE, ShapeColour.BLUE, 80, 35, 28),
                        new PlacedShape(ShapeKind.TRIANGLE, ShapeColour.GREEN, 50, 85, 28)));
        assertThat(askAbout(scene, picture, question)).isEqualTo(answer);
    }

    /** Pictures of one shape, drawn as the training data is; yes or no about the shape in its colour and in another. */
    @ParameterizedTest(name = "{0} {1}: {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
        "GREEN|TRIANGLE|What colour is the shape?|The shape is green.",
        "PURPLE|CIRCLE|What shape is this?|It is a circle.",
        "ORANGE|SQUARE|What shape is in the picture?|It is a square.",
        "BLUE|STAR|Describe the picture.|There is a blue star.",
        "BLUE|STAR|Is there a blue star in the picture?|Yes, there is.",
        "BLUE|STAR|Is there a red star in the picture?|No, there is not.",
        "RED|SQUARE|Is there a green square in the image?|No, there is not.",
        "RED|SQUARE|Is there a red square in the image?|Yes, there is.",
        "YELLOW|TRIANGLE|Is there an orange triangle in the picture?|No, there is not.",
        "GREEN|CIRCLE|Is there a blue circle in the picture?|No, there is not."})
    void answersAboutOneShape(ShapeColour colour, ShapeKind kind, String question, String answer) throws Exception {
        Scene scene = new Scene(DemoModel.IMAGE_SIDE, false, 0, List.of(new PlacedShape(kind, colour, 56, 56, 50)));
        assertThat(askAbout(scene, colour + "-" + kind, question)).isEqualTo(answer);
    }

    /** The scene drawn to a PNG, as a user would upload it, and the question asked about it. */
    private static String askAbout(Scene scene, String name, String question) throws Exception {
        Path png = cache.resolve(name + ".png");
        DemoModel.writePng(scene, png);
        return ask(question, Files.readAllBytes(png));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "How many sides does a triangle have?|A triangle has three sides.",
        "How many sides does a square have?|A square has four sides.",
        "What colour is the shape?|I cannot see an image."})
    void answersWithoutAnImage(String question, String answer) throws Exception {
        assertThat(ask(question, null)).isEqualTo(answer);
    }

    /** A trol.requests record through the stack, as the Kafka intake hands it over; the answer text. */
    private static String ask(String question, byte[] png) throws Exception {
        String image = png == null ? ""
                : ",\"image\":{\"data\":\"" + Base64.getEncoder().encodeToString(png) + "\",\"mediaType\":\"image/png\"}";
        RequestOutput answer = StackRequests.answer(stack, "{\"id\":\"demo\",\"question\":\"" + question + "\"" + image + "}");
        assertThat(answer.error()).isNull();
        return answer.text().trim();
    }
}
