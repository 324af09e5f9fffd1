package io.trolserve.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.model.TrolModel;
import io.trolserve.text.TrolTokenizer;

/**
 * The training loop: AdamW over every parameter and the gate (and the training-only
 * {@link PatchHeads}), a linear warm-up then a cosine decay of the learning rate, gradients clipped
 * to norm 1, a fresh batch from the seeded data stream each step. The loss it reports is the answer
 * loss plus the patch heads'. Run it on one thread (libtorch's intra-op threads are per OS thread).
 */
final class Trainer {

    /** How long and how hard to train. */
    record Settings(int steps, int batchSize, double learningRate, int warmupSteps) {

        Settings {
            if (steps <= 0 || batchSize <= 0 || learningRate <= 0 || warmupSteps < 0) {
                throw new IllegalArgumentException("steps, batch size and learning rate must be positive: " + steps
                        + ", " + batchSize + ", " + learningRate);
            }
        }

        /** Warm-up, then cosine from the peak down to a tenth of it at the last step. */
        double learningRate(int step) {
            if (step < warmupSteps) {
                return learningRate * (step + 1) / warmupSteps;
            }
            double progress = (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps);
            return learningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
        }
    }

    /** A step's mean loss over its batch and the seconds since training started. */
    record Progress(int step, double loss, double seconds, double learningRate) {
    }

    private Trainer() {
    }

    /** Trains {@code net} in place on batches drawn from {@code examples}; returns every step's progress. */
    static List<Progress> train(TrainableTrol net, TrolTokenizer tokenizer, Supplier<Example> examples, Settings settings,
                                Consumer<Progress> listener) {
        List<Progress> history = new ArrayList<>();
        long started = System.nanoTime();
        int endOfTurn = tokenizer.endOfTurnTokenId();
        try (TensorVector parameters = net.all();
             PatchHeads heads = new PatchHeads(net.config().hiddenSize());
             AdamWOptions options = new AdamWOptions(settings.learningRate())) {
            heads.parameters().forEach(parameters::push_back);
            options.weight_decay().put(0.01);   // before the optimizer copies the options
            try (AdamW optimizer = new AdamW(parameters, options)) {
                for (int step = 0; step < settings.steps(); step++) {
                    double lr = settings.learningRate(step);
                    optimizer.param_groups().get(0).options().set_lr(lr);
                    List<AnswerLoss.Encoded> batch = new ArrayList<>();
                    for (int i = 0; i < settings.batchSize(); i++) {
                        batch.add(AnswerLoss.encode(net.config(), tokenizer, examples.get()));
                    }
                    double loss = step(net, heads, optimizer, parameters, batch, endOfTurn);
                    Progress p = new Progress(step + 1, loss, (System.nanoTime() - started) / 1e9, lr);
                    history.add(p);
                    listener.accept(p);
                }
            }
        }
        return history;
    }

    /** One update on one batch; everything it makes lives in its own scope. Returns the batch's loss. */
    private static double step(TrainableTrol net, PatchHeads heads, AdamW optimizer, TensorVector parameters,
                               List<AnswerLoss.Encoded> batch, int endOfTurn) {
        try (PointerScope scope = new PointerScope(); TrolModel model = net.model()) {
            Tensor mean = AnswerLoss.of(model, heads, batch, endOfTurn, scope);
            optimizer.zero_grad();
            mean.backward();
            torch.clip_grad_norm_(parameters, 1.0);
            optimizer.step();
            return mean.item_float();
        }
    }
}
