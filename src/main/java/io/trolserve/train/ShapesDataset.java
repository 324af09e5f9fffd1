package io.trolserve.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import io.trolserve.train.SceneSampler.Look;
import io.trolserve.train.Sentences.Side;

/**
 * An endless, seeded stream of synthetic examples for the demo TroL (issue 13): coloured shapes
 * on light backgrounds and questions about them, each with its one exact answer sentence. The
 * same side and seed give the same examples, so training and its held-out evaluation replay.
 *
 * <p>{@link #next()} mixes the kinds by their {@link QuestionKind#weight()}; {@link #next(QuestionKind)}
 * draws one kind.
 */
public final class ShapesDataset {

    private static final int MAX_SHAPES = 5;
    private static final int MAX_YES_NO_SHAPES = 4;
    /** The most questions {@link #nextGroup} asks about one picture. */
    public static final int MAX_QUESTIONS_PER_PICTURE = 4;

    private final int side;
    private final SplittableRandom random;
    private final SceneSampler sampler;
    /** What the last yes/no example asked about: {@link #nextGroup} asks its opposite next. */
    private PopeQuery lastYesNo;

    /** @param side the image side in pixels (the model's, 112 for the demo), at least 48 */
    public ShapesDataset(int side, long seed) {
        if (side < 48) {
            throw new IllegalArgumentException("side must be at least 48 px: " + side);
        }
        this.side = side;
        this.random = new SplittableRandom(seed);
        this.sampler = new SceneSampler(side, random);
    }

    public int side() {
        return side;
    }

    /** The next example, of a kind drawn by weight. */
    public Example next() {
        int ticket = random.nextInt(100);
        for (QuestionKind kind : QuestionKind.values()) {
            ticket -= kind.weight();
            if (ticket < 0) {
                return next(kind);
            }
        }
        throw new AssertionError("weights sum to 100");
    }

    /** The next example of {@code kind}. */
    public Example next(QuestionKind kind) {
        return switch (kind) {
            case COLOUR -> colour();
            case SHAPE -> shape();
            case COUNT -> count();
            case POSITION -> position();
            case DESCRIBE -> describe();
            case YES_NO -> yesNo();
            case TEXT_ONLY -> textOnly();
            case COLOUR_OF_KIND -> colourOfKind();
            case KIND_OF_COLOUR -> kindOfColour();
            case YES_NO_BINDING -> yesNoBinding();
        };
    }

    /** The picture of the next example that has one (text-only examples are skipped): what the tower stage reads. */
    public Scene nextScene() {
        while (true) {
            Scene scene = next().scene();
            if (scene != null) {
                return scene;
            }
        }
    }

    /** Every word and sentence form the examples can hold, one sentence a line: a tokenizer's corpus. */
    public static String corpus() {
        return Sentences.corpus();
    }

    /**
     * A picture and up to {@code questions} questions about it: one drawn by weight as
     * {@link #next()} draws it, then more of the kinds that picture answers without ambiguity, no
     * question twice. Training reads the picture once for all of them (AnswerLoss), so each image
     * row it pays for teaches several answers. A text-only question comes alone.
     *
     * <p>A yes/no question always comes with its opposite, whatever {@code questions} says: the same
     * picture asked about something it holds and something it lacks, the two questions as alike as
     * the picture allows ({@link PopeQuery#opposite}: often they differ in the colour word alone).
     * Neither the picture alone nor the question alone tells yes from no; the pair's two answers
     * differ by the question alone, which is what the model has to learn to read against the
     * picture (BENCHMARKS.md, "Third round"). Where two more questions fit, a second pair follows,
     * always by colour and kind: a shape the picture holds, then the same kind in a colour it lacks.
     * Asked by kind alone, yes/no is learned early; what is left is reading the colour word against
     * the picture, POPE's adversarial case.
     */
    public List<Example> nextGroup(int questions) {
        if (questions < 1 || questions > MAX_QUESTIONS_PER_PICTURE) {
            throw new IllegalArgumentException("questions per picture run from 1 to " + MAX_QUESTIONS_PER_PICTURE
                    + ": " + questions);
        }
        Example first = next();
        if (first.scene() == null) {
            return List.of(first);
        }
        List<Example> group = new ArrayList<>(List.of(first));
        Set<String> asked = new HashSet<>(Set.of(first.question()));
        if (first.kind() == QuestionKind.YES_NO) {
            Example opposite = yesNo(first.scene(), PopeQuery.opposite(lastYesNo, first.scene(), sampler));
            asked.add(opposite.question());
            group.add(opposite);
            if (questions - group.size() >= 2) {
                PopeQuery look = PopeQuery.presentLook(first.scene(), sampler);
                Example present = yesNo(first.scene(), look);
                Example absent = yesNo(first.scene(), PopeQuery.opposite(look, first.scene(), sampler));
                if (asked.add(present.question()) && asked.add(absent.question())) {
                    group.add(present);
                    group.add(absent);
                }
            }
        }
        for (int tries = 1; tries < questions && group.size() < questions; tries++) {   // a repeat is dropped, not redrawn
            Example more = another(first.scene());
            if (asked.add(more.question())) {
                group.add(more);
            }
        }
        return group;
    }

    /**
     * One more question about {@code scene}, of a kind drawn among those it answers unambiguously.
     * Among several shapes these include the colour of the one shape of its kind and the kind of
     * the one shape of its colour: questions that make the model find a shape by one attribute and
     * read the other off it, the binding a yes/no question about "a red circle" needs.
     */
    private Example another(Scene scene) {
        List<Supplier<Example>> kinds = new ArrayList<>();
        kinds.add(() -> totalCount(scene));
        kinds.add(() -> kindCount(scene, sampler.pick(presentKinds(scene))));
        kinds.add(() -> yesNo(scene));
        if (scene.shapes().size() == 1) {
            kinds.add(() -> colour(scene));
            kinds.add(() -> shape(scene));
        }
        if (scene.shapes().size() > 1) {
            List<PlacedShape> loneKinds = scene.shapes().stream().filter(s -> scene.count(s.kind()) == 1).toList();
            List<PlacedShape> loneColours = scene.shapes().stream().filter(s -> scene.count(s.colour()) == 1).toList();
            if (!loneKinds.isEmpty()) {
                kinds.add(() -> colourOfKind(scene, sampler.pick(loneKinds)));
            }
            if (!loneColours.isEmpty()) {
                kinds.add(() -> kindOfColour(scene, sampler.pick(loneColours)));
            }
        }
        if (describable(scene)) {
            kinds.add(() -> describe(scene));
        }
        if (hasClearEnds(scene)) {
            kinds.add(() -> position(scene, sampler.pick(Side.values())));
        }
        return sampler.pick(kinds).get();
    }

    private Example colour() {
        return colour(sampler.scatter(List.of(sampler.look())));
    }

    private Example colour(Scene lone) {
        return new Example(QuestionKind.COLOUR, lone, sampler.pick(Sentences.COLOUR_QUESTIONS),
                Sentences.colourAnswer(lone.shapes().get(0).colour()));
    }

    private Example colourOfKind() {
        Look asked = sampler.look();
        Scene scene = amongOthers(asked, () -> new Look(other(asked.kind(), sampler::kind), sampler.colour()));
        return colourOfKind(scene, placed(scene, asked));
    }

    /** The colour of the one shape of its kind among others: reading the picture by kind. */
    private Example colourOfKind(Scene scene, PlacedShape asked) {
        String question = Sentences.colourOfKindQuestion(sampler.pick(Sentences.COLOUR_OF_KIND_TEMPLATES), asked.kind());
        return new Example(QuestionKind.COLOUR_OF_KIND, scene, question, Sentences.colourOfKindAnswer(asked.kind(), asked.colour()));
    }

    private Example kindOfColour() {
        Look asked = sampler.look();
        Scene scene = amongOthers(asked, () -> new Look(sampler.kind(), other(asked.colour(), sampler::colour)));
        return kindOfColour(scene, placed(scene, asked));
    }

    /** {@code asked} and one to three {@code others}, which must not look like it, scattered. */
    private Scene amongOthers(Look asked, Supplier<Look> others) {
        List<Look> looks = new ArrayList<>(List.of(asked));
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            looks.add(others.get());
        }
        return sampler.scatter(looks);
    }

    private static PlacedShape placed(Scene scene, Look look) {
        return scene.shapes().stream().filter(s -> s.kind() == look.kind() && s.colour() == look.colour())
                .findFirst().orElseThrow();
    }

    /** The kind of the one shape of its colour among others: reading the picture by colour. */
    private Example kindOfColour(Scene scene, PlacedShape asked) {
        String question = Sentences.kindOfColourQuestion(sampler.pick(Sentences.KIND_OF_COLOUR_TEMPLATES), asked.colour());
        return new Example(QuestionKind.KIND_OF_COLOUR, scene, question, Sentences.kindOfColourAnswer(asked.colour(), asked.kind()));
    }

    private Example shape() {
        return shape(sampler.scatter(List.of(sampler.look())));
    }

    private Example shape(Scene lone) {
        return new Example(QuestionKind.SHAPE, lone, sampler.pick(Sentences.SHAPE_QUESTIONS),
                Sentences.shapeAnswer(lone.shapes().get(0).kind()));
    }

    // Half ask for all shapes, half for one kind: 1..5 of it, and up to two others of other kinds
    // as long as the scene stays within five shapes.
    private Example count() {
        int n = 1 + random.nextInt(MAX_SHAPES);
        if (random.nextBoolean()) {
            return totalCount(sampler.scatter(looks(n)));
        }
        ShapeKind counted = sampler.kind();
        List<Look> looks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            looks.add(new Look(counted, sampler.colour()));
        }
        int others = random.nextInt(Math.min(2, MAX_SHAPES - n) + 1);
        for (int i = 0; i < others; i++) {
            looks.add(new Look(other(counted, sampler::kind), sampler.colour()));
        }
        return kindCount(sampler.scatter(looks), counted);
    }

    private Example totalCount(Scene scene) {
        return new Example(QuestionKind.COUNT, scene, sampler.pick(Sentences.TOTAL_COUNT_QUESTIONS),
                Sentences.totalCountAnswer(scene.shapes().size()));
    }

    private Example kindCount(Scene scene, ShapeKind counted) {
        String question = Sentences.kindCountQuestion(sampler.pick(Sentences.KIND_COUNT_TEMPLATES), counted);
        return new Example(QuestionKind.COUNT, scene, question,
                Sentences.kindCountAnswer((int) scene.count(counted), counted));
    }

    private Example position() {
        List<ShapeKind> kinds = new ArrayList<>(List.of(ShapeKind.values()));
        int n = 2 + random.nextInt(2);
        List<Look> looks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            looks.add(new Look(kinds.remove(random.nextInt(kinds.size())), sampler.colour()));
        }
        return position(sampler.leftToRight(looks), sampler.pick(Side.values()));
    }

    private Example position(Scene scene, Side asked) {
        List<PlacedShape> ordered = leftToRight(scene);
        PlacedShape answer = asked == Side.LEFT ? ordered.get(0) : ordered.get(ordered.size() - 1);
        String question = Sentences.positionQuestion(sampler.pick(Sentences.POSITION_TEMPLATES), asked);
        return new Example(QuestionKind.POSITION, scene, question, Sentences.positionAnswer(answer.kind(), asked));
    }

    // Two shapes never look alike, so "a red circle and a red circle" cannot come up.
    private Example describe() {
        Look first = sampler.look();
        List<Look> looks = new ArrayList<>(List.of(first));
        if (random.nextBoolean()) {
            Look second;
            do {
                second = sampler.look();
            } while (second.equals(first));
            looks.add(second);
        }
        return describe(sampler.leftToRight(looks));
    }

    private Example describe(Scene scene) {
        return new Example(QuestionKind.DESCRIBE, scene, sampler.pick(Sentences.DESCRIBE_QUESTIONS),
                Sentences.describeAnswer(leftToRight(scene)));
    }

    private Example yesNo() {
        return yesNo(sampler.scatter(looks(1 + random.nextInt(MAX_YES_NO_SHAPES))));
    }

    private Example yesNo(Scene scene) {
        return yesNo(scene, random.nextBoolean() ? PopeQuery.present(scene, sampler) : PopeQuery.absent(scene, sampler));
    }

    private Example yesNo(Scene scene, PopeQuery query) {
        lastYesNo = query;
        return yesNo(QuestionKind.YES_NO, scene, query);
    }

    private Example yesNo(QuestionKind kind, Scene scene, PopeQuery query) {
        String question = Sentences.yesNoQuestion(sampler.pick(Sentences.YES_NO_TEMPLATES), query.colour(), query.kind());
        return new Example(kind, scene, question, Sentences.yesNoAnswer(scene.contains(query.colour(), query.kind())));
    }

    /**
     * "Is there a red star?" beside a red shape of another kind and a star of another colour, and
     * half the time a red star too: the colour and the kind are always there, so only a model that
     * reads which colour goes with which kind answers both halves.
     */
    private Example yesNoBinding() {
        Look asked = sampler.look();
        List<Look> looks = new ArrayList<>();
        if (random.nextBoolean()) {
            looks.add(asked);
        }
        looks.add(new Look(other(asked.kind(), sampler::kind), asked.colour()));
        looks.add(new Look(asked.kind(), other(asked.colour(), sampler::colour)));
        return yesNo(QuestionKind.YES_NO_BINDING, sampler.scatter(looks), new PopeQuery(asked.colour(), asked.kind()));
    }

    // Half facts about shapes, half an image question asked with no image, which the model must
    // decline rather than guess.
    private Example textOnly() {
        if (random.nextBoolean()) {
            Sentences.Fact fact = sampler.pick(Sentences.FACTS);
            return new Example(QuestionKind.TEXT_ONLY, null, fact.question(), fact.answer());
        }
        QuestionKind[] imageKinds = {QuestionKind.COLOUR, QuestionKind.SHAPE, QuestionKind.COUNT,
                QuestionKind.POSITION, QuestionKind.DESCRIBE, QuestionKind.YES_NO};
        Example withImage = next(sampler.pick(imageKinds));
        return new Example(QuestionKind.TEXT_ONLY, null, withImage.question(), Sentences.NO_IMAGE);
    }

    /** One or two shapes that look different, their centres far enough apart to say which is left. */
    private boolean describable(Scene scene) {
        List<PlacedShape> shapes = scene.shapes();
        return shapes.size() == 1 || shapes.size() == 2 && !sameLook(shapes.get(0), shapes.get(1)) && farApart(scene);
    }

    /** Two or three shapes of different kinds, every two far enough apart to say which is left: as position() draws them. */
    private boolean hasClearEnds(Scene scene) {
        int n = scene.shapes().size();
        long kinds = scene.shapes().stream().map(PlacedShape::kind).distinct().count();
        return n >= 2 && n <= 3 && kinds == n && farApart(scene);
    }

    private boolean farApart(Scene scene) {
        List<PlacedShape> ordered = leftToRight(scene);
        for (int i = 1; i < ordered.size(); i++) {
            if (ordered.get(i).centreX() - ordered.get(i - 1).centreX() < SceneSampler.LEFT_RIGHT_APART * side) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameLook(PlacedShape a, PlacedShape b) {
        return a.kind() == b.kind() && a.colour() == b.colour();
    }

    private static List<ShapeKind> presentKinds(Scene scene) {
        return scene.shapes().stream().map(PlacedShape::kind).distinct().sorted().toList();
    }

    private List<Look> looks(int n) {
        List<Look> looks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            looks.add(sampler.look());
        }
        return looks;
    }

    /** What {@code draw} gives next other than {@code not}. */
    private static <T> T other(T not, Supplier<T> draw) {
        T value;
        do {
            value = draw.get();
        } while (value == not);
        return value;
    }

    private static List<PlacedShape> leftToRight(Scene scene) {
        return scene.shapes().stream().sorted(Comparator.comparingDouble(PlacedShape::centreX)).toList();
    }
}
