package io.trolserve.engine;

import java.util.Arrays;

/**
 * A step's time as a fixed part plus a cost per decode row, per traversed row, per thousand
 * attention keys and per image encode, fitted to the last {@value #WINDOW} steps the engine ran
 * (least squares of the relative error, every cost at least zero, so that a step that does more
 * is never predicted to be cheaper). Relative, because step times vary by two orders of
 * magnitude (a decode step against a batch of prompts) and their noise grows with them: plain
 * least squares would fit the few long steps and miss the many short ones by their whole size. Refitted after every step: a window, not all history, because the same shape
 * costs different time as the machine's load, the caches and the context lengths change.
 *
 * <p>Before the engine has run a kind of row, its cost is taken from the other kind: a traversed
 * row is two passes of a decode row. The fixed part is in every step, so it is always learned.
 * Five unknowns: the normal equations are 5 x 5, solved by projected Gauss-Seidel in microseconds.
 */
final class FittedStepCost implements StepCostModel {

    static final int WINDOW = 256;
    private static final int FIXED = 0;
    private static final int DECODE = 1;
    private static final int TRAVERSED = 2;
    private static final int SWEEPS = 200;
    /** Ridge weight, relative to each column's own diagonal: keeps collinear columns from trading wild values. */
    private static final double RIDGE = 1e-6;
    /**
     * A heavier ridge on the fixed part. While every step looks alike (a saturated engine at start:
     * one prompt and a few decoders each step), the fit cannot tell the fixed part from the rows;
     * all of it in the fixed part would price prompt tokens at nothing and admit whole prompts
     * into a step with decoders. Pushed towards the rows and encodes instead, the ambiguity prices
     * prompts too high, never too low: the scheduler then admits small chunks, whose times tell
     * the parts apart.
     */
    private static final double FIXED_RIDGE = 1e-2;

    private final double[][] features = new double[WINDOW][];
    private final double[] nanos = new double[WINDOW];
    private final boolean[] seen = new boolean[StepShape.EMPTY.features().length];
    private double[] coefficients = new double[seen.length];
    private int count;
    private int next;

    /** The fitted costs in nanoseconds, for logs and benchmarks. */
    record Fit(double fixed, double perDecodeRow, double perTraversedRow, double perThousandKeys, double perEncode,
               int steps) {
    }

    @Override
    public long predictNanos(StepShape shape) {
        double[] x = shape.features();
        double[] c = effective();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += c[i] * x[i];
        }
        return Math.round(Math.max(0, sum));
    }

    @Override
    public void observe(StepShape shape, long stepNanos) {
        double[] x = shape.features();
        for (int i = 0; i < x.length; i++) {
            seen[i] |= x[i] != 0;
        }
        features[next] = x;
        nanos[next] = stepNanos;
        next = (next + 1) % WINDOW;
        count = Math.min(count + 1, WINDOW);
        refit();
    }

    Fit fit() {
        double[] c = effective();
        return new Fit(c[0], c[1], c[2], c[3], c[4], count);
    }

    /** The fitted costs, with a kind of row never seen priced from the other kind. */
    private double[] effective() {
        double[] c = coefficients.clone();
        if (!seen[TRAVERSED] && seen[DECODE]) {
            c[TRAVERSED] = TraversalRule.TRAVERSED_PASSES * c[DECODE];
        } else if (!seen[DECODE] && seen[TRAVERSED]) {
            c[DECODE] = c[TRAVERSED] / TraversalRule.TRAVERSED_PASSES;
        }
        return c;
    }

    private void refit() {
        int n = seen.length;
        double[] scale = new double[n];
        for (int k = 0; k < count; k++) {
            for (int i = 0; i < n; i++) {
                scale[i] = Math.max(scale[i], Math.abs(features[k][i]));
            }
        }
        double[][] a = new double[n][n];
        double[] b = new double[n];
        for (int k = 0; k < count; k++) {
            double weight = 1 / Math.max(nanos[k], 1);   // each row divided by its time: relative errors
            for (int i = 0; i < n; i++) {
                double xi = scaled(features[k][i], scale[i]) * weight;
                b[i] += xi;
                for (int j = 0; j < n; j++) {
                    a[i][j] += xi * scaled(features[k][j], scale[j]) * weight;
                }
            }
        }
        double[] theta = new double[n];
        for (int i = 0; i < n; i++) {
            a[i][i] = a[i][i] * (1 + (i == FIXED ? FIXED_RIDGE : RIDGE)) + (scale[i] == 0 ? 1 : 0);   // a column never seen stays at 0
            theta[i] = coefficients[i] * (scale[i] == 0 ? 1 : scale[i]);   // warm start from the last fit
        }
        solveNonNegative(a, b, theta);
        double[] fitted = new double[n];
        for (int i = 0; i < n; i++) {
            fitted[i] = scale[i] == 0 ? 0 : theta[i] / scale[i];
        }
        coefficients = fitted;
    }

    private static double scaled(double x, double scale) {
        return scale == 0 ? 0 : x / scale;
    }

    /** min |A theta - b| over theta >= 0 for symmetric positive definite A: Gauss-Seidel, clamped at 0. */
    private static void solveNonNegative(double[][] a, double[] b, double[] theta) {
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            double change = 0;
            for (int i = 0; i < theta.length; i++) {
                double residual = b[i];
                for (int j = 0; j < theta.length; j++) {
                    residual -= a[i][j] * theta[j];
                }
                double updated = Math.max(0, theta[i] + residual / a[i][i]);
                change = Math.max(change, Math.abs(updated - theta[i]));
                theta[i] = updated;
            }
            if (change < 1e-9 * (1 + Arrays.stream(theta).map(Math::abs).max().orElse(0))) {
                return;
            }
        }
    }
}
