package io.trolserve.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.model.TrolModel;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.torch.Libtorch;

/**
 * The training loop: AdamW over every parameter and the gate (and the training-only
 * {@link ImageHeads}), a linear warm-up then a cosine decay of the learning rate, gradients clipped
 * to norm 1, a fresh batch from the seeded data stream each step. Two stages run it: the tower
 * stage ({@link #trainTower}: pictures and the image heads only) and the answer stage
 * ({@link #train}: the answer loss plus the image heads').
 *
 * <p>Each batch is split into as many shards as there are workers, one thread each. A worker
 * computes its shard's loss, weighted by its share of the batch ({@link AnswerLoss.Share}), and
 * its gradients, on its own model over the shared parameters; the step then adds the workers'
 * gradients in shard order, so a run gives the same bytes whichever worker finishes first. On two
 * cores two workers take about 0.6 of one's time: a model this small keeps one core busy with
 * libtorch's per-op work, which OpenBLAS's threads do not share.
 */
final class Trainer {

    /** How long and how hard to train, on how many threads. */
    record Settings(int steps, int batchSize, double learningRate, int warmupSteps, int workers) {

        /**
         * A step holds its whole batch in memory at once, rendered pictures and every activation autograd
         * keeps, and the next batch as it is drawn: 1,024 of the demo's pictures are 38 MB of pixels
         * alone, and the runs here used 16 (64 in the tower stage).
         */
        static final int MAX_BATCH = 1024;

        Settings {
            if (steps <= 0 || batchSize <= 0 || learningRate <= 0 || warmupSteps < 0 || workers <= 0) {
                throw new IllegalArgumentException("steps, batch size, learning rate and threads must be positive: "
                        + steps + ", " + batchSize + ", " + learningRate + ", " + workers);
            }
            if (batchSize > MAX_BATCH) {
                throw new IllegalArgumentException("a batch holds at most " + MAX_BATCH + " pictures: " + batchSize);
            }
        }

        Settings(int steps, int batchSize, double learningRate, int warmupSteps) {
            this(steps, batchSize, learningRate, warmupSteps, 1);
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

    /** A step's mean loss over its batch, the seconds since training started, and how well the tower saw. */
    record Progress(int step, double loss, double seconds, double learningRate, ImageHeads.TowerScores tower) {
    }

    /** One worker's part of a step: its weighted loss and its gradients, one per parameter (null where unused). */
    private record ShardResult(double loss, Tensor[] gradients) implements AutoCloseable {

        @Override
        public void close() {
            for (Tensor g : gradients) {
                if (g != null) {
                    g.close();
                }
            }
        }
    }

    private Trainer() {
    }

    /**
     * What a stage minimises on one shard of its batch: a scalar over {@code model}'s parameters,
     * weighted by the shard's share of {@code batch} so that the shards' losses add up to the batch's.
     */
    @FunctionalInterface
    interface ShardLoss<T> {
        Tensor of(TrolModel model, List<T> shard, List<T> batch, PointerScope scope);
    }

    /**
     * Trains {@code net} in place, with image heads of its own; returns every step's progress.
     * See {@link #train(TrainableTrol, ImageHeads, TrolTokenizer, Supplier, Settings, Consumer)}.
     */
    static List<Progress> train(TrainableTrol net, TrolTokenizer tokenizer, Supplier<List<Example>> pictures,
                                Settings settings, Consumer<Progress> listener) {
        try (ImageHeads heads = new ImageHeads(net.config().hiddenSize())) {
            return train(net, heads, tokenizer, pictures, settings, listener);
        }
    }

    /**
     * The answer stage: trains every parameter of {@code net}, and {@code heads}, on answers and
     * image heads together. A batch is {@code batchSize} draws from {@code pictures}: each one
     * picture and the questions about it (or one text-only question), which stay together in one
     * shard so that the picture is read once.
     */
    static List<Progress> train(TrainableTrol net, ImageHeads heads, TrolTokenizer tokenizer,
                                Supplier<List<Example>> pictures, Settings settings, Consumer<Progress> listener) {
        int endOfTurn = tokenizer.endOfTurnTokenId();
        return run(net, heads, settings, () -> AnswerLoss.encode(net.config(), tokenizer, pictures.get()),
                (model, shard, batch, scope) -> {
                    List<AnswerLoss.Encoded> examples = shard.stream().flatMap(List::stream).toList();
                    AnswerLoss.Share share = AnswerLoss.Share.of(examples, batch.stream().flatMap(List::stream).toList());
                    return AnswerLoss.of(model, heads, examples, share, endOfTurn, scope);
                }, listener);
    }

    /**
     * The tower stage: trains the vision tower and projector (and {@code heads}) on the image heads
     * alone, no language-model row, so that a picture costs a few milliseconds. The answer stage
     * after it starts from a tower that already tells the shapes apart.
     */
    static List<Progress> trainTower(TrainableTrol net, ImageHeads heads, Supplier<Scene> scenes, Settings settings,
                                     Consumer<Progress> listener) {
        return run(net, heads, settings, () -> AnswerLoss.Picture.of(scenes.get(), net.config()),
                (model, shard, batch, scope) -> heads.loss(model, shard, (double) shard.size() / batch.size()), listener);
    }

    /**
     * AdamW over every parameter of {@code net} and {@code heads} (a parameter a stage leaves
     * unused keeps no gradient, and AdamW skips it), {@code settings.steps()} steps of a fresh batch.
     */
    private static <T> List<Progress> run(TrainableTrol net, ImageHeads heads, Settings settings, Supplier<T> draws,
                                          ShardLoss<T> shardLoss, Consumer<Progress> listener) {
        List<Progress> history = new ArrayList<>();
        long started = System.nanoTime();
        ExecutorService workers = Executors.newFixedThreadPool(settings.workers(), Trainer::workerThread);
        // one thread draws every batch, in order, so the stream is the same; it draws the next
        // while the workers compute this one (rendering 64 pictures is a quarter of a tower step)
        ExecutorService drawer = Executors.newSingleThreadExecutor(Trainer::drawerThread);
        try (TensorVector parameters = net.all();
             AdamWOptions options = new AdamWOptions(settings.learningRate())) {
            heads.parameters().forEach(parameters::push_back);
            options.weight_decay().put(0.01);   // before the optimizer copies the options
            try (AdamW optimizer = new AdamW(parameters, options)) {
                Future<List<T>> next = drawer.submit(() -> draw(draws, settings.batchSize()));
                for (int step = 0; step < settings.steps(); step++) {
                    double lr = settings.learningRate(step);
                    optimizer.param_groups().get(0).options().set_lr(lr);
                    List<T> batch = await(next);
                    if (step + 1 < settings.steps()) {
                        next = drawer.submit(() -> draw(draws, settings.batchSize()));
                    }
                    double loss = step(net, optimizer, parameters, batch, shardLoss, workers, settings.workers());
                    Progress p = new Progress(step + 1, loss, (System.nanoTime() - started) / 1e9, lr,
                            heads.takeScores());
                    history.add(p);
                    listener.accept(p);
                }
            }
        } finally {
            workers.shutdownNow();
            drawer.shutdownNow();
        }
        return history;
    }

    private static <T> List<T> draw(Supplier<T> draws, int count) {
        List<T> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(draws.get());
        }
        return batch;
    }

    /** One update on one batch, its shards computed in parallel. Returns the batch's loss. */
    private static <T> double step(TrainableTrol net, AdamW optimizer, TensorVector parameters, List<T> batch,
                                   ShardLoss<T> shardLoss, ExecutorService workers, int shards) {
        List<Future<ShardResult>> pending = new ArrayList<>();
        for (List<T> shard : shards(batch, shards)) {
            pending.add(workers.submit(() -> gradients(net, parameters, shard, batch, shardLoss)));
        }
        List<ShardResult> results = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            for (Future<ShardResult> f : pending) {
                results.add(await(f));
            }
            optimizer.zero_grad();
            double loss = 0;
            for (ShardResult r : results) {
                loss += r.loss();
            }
            for (int p = 0; p < parameters.size(); p++) {
                Tensor sum = null;
                for (ShardResult r : results) {          // in shard order: the same sum every run
                    Tensor g = r.gradients()[p];
                    if (g != null) {
                        sum = sum == null ? g.clone() : sum.add(g);
                    }
                }
                if (sum != null) {                       // a tensor no shard used keeps no gradient, as backward() leaves it
                    parameters.get(p).mutable_grad().put(sum);
                }
            }
            torch.clip_grad_norm_(parameters, 1.0);
            optimizer.step();
            return loss;
        } finally {
            results.forEach(ShardResult::close);
            // after a failed shard, the others' gradients are still freed once they finish
            for (int i = results.size(); i < pending.size(); i++) {
                try {
                    pending.get(i).get().close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException ignored) {
                    // the first failure is the one reported
                }
            }
        }
    }

    /**
     * A shard's weighted loss and its gradients, on the calling worker. Everything the forward
     * makes lives in this call's scope; the gradients are taken out of it for the step to add.
     */
    private static <T> ShardResult gradients(TrainableTrol net, TensorVector parameters, List<T> shard, List<T> batch,
                                             ShardLoss<T> shardLoss) {
        try (PointerScope scope = new PointerScope(); TrolModel model = net.model()) {
            Tensor loss = shardLoss.of(model, shard, batch, scope);
            TensorVector grads = torch.grad(new TensorVector(loss), parameters, new TensorVector(), new BoolOptional(),
                    false, true);   // allow unused: text-only shards leave the tower out, the tower stage the LM
            Tensor[] out = new Tensor[Math.toIntExact(parameters.size())];
            for (int p = 0; p < out.length; p++) {
                Tensor g = grads.get(p);     // a view into the vector, which the scope frees
                if (g.defined()) {
                    out[p] = g.detach();       // a tensor of its own over the same gradient
                    out[p].retainReference();  // outlives the scope; ShardResult.close releases it
                }
            }
            return new ShardResult(loss.item_float(), out);
        }
    }

    /** Contiguous slices of {@code batch}, as even as can be, none empty. */
    static <T> List<List<T>> shards(List<T> batch, int count) {
        int n = Math.min(count, batch.size());
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(batch.subList(i * batch.size() / n, (i + 1) * batch.size() / n));
        }
        return out;
    }

    private static <R> R await(Future<R> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static Thread drawerThread(Runnable task) {
        Thread t = new Thread(task, "train-drawer");
        t.setDaemon(true);
        return t;
    }

    /** A daemon worker that is a model thread (Libtorch.prepareComputeThread) before its first shard. */
    private static Thread workerThread(Runnable task) {
        Thread t = new Thread(() -> {
            Libtorch.prepareComputeThread();
            task.run();
        }, "train-worker");
        t.setDaemon(true);
        return t;
    }
}
