package io.trolserve.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The object a yes/no question asks about, chosen as POPE does (Li et al., "Evaluating Object
 * Hallucination in Large Vision-Language Models", 2023): half the questions name something present
 * and half something absent, so "yes" alone scores 50 %. The absent ones mix POPE's random split
 * (any kind or colour-and-kind not in the scene) with its adversarial one (a shape that is there
 * in another colour). Either answer is asked as often by kind alone as by colour and kind, so the
 * question's form does not give the answer away.
 *
 * @param colour null when the question names the kind alone
 */
record PopeQuery(ShapeColour colour, ShapeKind kind) {

    /** A shape the scene holds, by kind alone or by colour and kind. */
    static PopeQuery present(Scene scene, SceneSampler sampler) {
        PlacedShape shape = sampler.pick(scene.shapes());
        return new PopeQuery(sampler.coin() ? shape.colour() : null, shape.kind());
    }

    /** A shape the scene holds, by colour and kind. */
    static PopeQuery presentLook(Scene scene, SceneSampler sampler) {
        PlacedShape shape = sampler.pick(scene.shapes());
        return new PopeQuery(shape.colour(), shape.kind());
    }

    /**
     * Something the scene lacks: half a kind it lacks (when it lacks one), otherwise a colour and
     * kind it lacks, half of those a present kind in a colour it does not have.
     */
    static PopeQuery absent(Scene scene, SceneSampler sampler) {
        List<ShapeKind> absentKinds = new ArrayList<>();
        for (ShapeKind kind : ShapeKind.values()) {
            if (scene.count(kind) == 0) {
                absentKinds.add(kind);
            }
        }
        boolean byKind = sampler.coin();
        if (byKind && !absentKinds.isEmpty()) {
            return new PopeQuery(null, sampler.pick(absentKinds));
        }
        boolean adversarial = sampler.coin();
        List<PopeQuery> candidates = new ArrayList<>();
        for (ShapeKind kind : ShapeKind.values()) {
            if (adversarial && scene.count(kind) == 0) {
                continue;
            }
            for (ShapeColour colour : ShapeColour.values()) {
                if (!scene.contains(colour, kind)) {
                    candidates.add(new PopeQuery(colour, kind));
                }
            }
        }
        // Never empty: at most five shapes cannot fill a kind's six colours.
        return sampler.pick(candidates);
    }

    /**
     * A question of the same form as {@code asked} with the other answer, changing as little as
     * the scene allows: by kind alone, another kind; by colour and kind, the same kind in another
     * colour (so the colour word alone decides). Where the scene leaves no such question (every
     * kind present; a kind absent in every colour), any question with the other answer.
     */
    static PopeQuery opposite(PopeQuery asked, Scene scene, SceneSampler sampler) {
        boolean present = scene.contains(asked.colour(), asked.kind());
        List<PopeQuery> alike = new ArrayList<>();
        if (asked.colour() == null) {
            for (ShapeKind kind : ShapeKind.values()) {
                if (scene.contains(null, kind) != present) {
                    alike.add(new PopeQuery(null, kind));
                }
            }
        } else {
            for (ShapeColour colour : ShapeColour.values()) {
                if (scene.contains(colour, asked.kind()) != present) {
                    alike.add(new PopeQuery(colour, asked.kind()));
                }
            }
        }
        if (!alike.isEmpty()) {
            return sampler.pick(alike);
        }
        if (present) {
            return absent(scene, sampler);
        }
        PlacedShape shape = sampler.pick(scene.shapes());
        return new PopeQuery(asked.colour() == null ? null : shape.colour(), shape.kind());
    }
}
