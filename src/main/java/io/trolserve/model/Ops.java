package io.trolserve.model;

import java.util.function.Supplier;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import io.trolserve.torch.Libtorch;

/** Small tensor helpers shared by the model parts; all results belong to the caller's scope. */
final class Ops {

    static {
        Libtorch.ensureLoaded();
    }

    /*
     * Constants are retained once so that no PointerScope ever frees them: they may first be
     * touched while a step's scope is open, which would otherwise adopt and close them.
     */
    static final Scalar HALF = constant(0.5);
    static final Scalar ONE = constant(1.0);
    static final Scalar QUICK_GELU_ALPHA = constant(1.702);

    private Ops() {
    }

    private static Scalar constant(double v) {
        Scalar s = new Scalar(v);
        s.retainReference();
        return s;
    }

    /**
     * Runs {@code block} in a PointerScope of its own: every tensor it creates is freed when it
     * returns, except its result, which joins the enclosing scope (the step's). Without this a
     * step's scope keeps every layer's temporaries of both passes until the step ends: about
     * 0.37 GiB per pass per layer at 2,048 rows of the medium model, 6 GiB per step (BENCHMARKS.md,
     * "Memory that adds up"). With no enclosing scope the result is left to the garbage collector,
     * as every tensor is there. The block must return a tensor it created (not one from outside,
     * which would then be attached twice and outlive the enclosing scope).
     */
    static Tensor scoped(Supplier<Tensor> block) {
        PointerScope outer = PointerScope.getInnerScope();
        try (PointerScope inner = new PointerScope()) {
            Tensor result = block.get();
            if (outer != null) {
                outer.attach(result);       // retained by outer, released once by inner
            } else {
                result.retainReference();   // survives inner; the GC frees it
            }
            return result;
        }
    }

    /** x W^T + b, with b optional. */
    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (bias == null) {
            return torch.linear(x, weight);
        }
        return torch.linear(x, weight, new TensorOptional(bias));
    }

    /**
     * InternLM2 RMSNorm: normalise in float32, cast back, then scale by the weight in the model
     * dtype, exactly in that order (the official module does so; a fused op rounds differently
     * in half precision). In float32 all three steps coincide with the fused op.
     */
    static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        long[] lastDim = {x.size(-1)};
        if (x.scalar_type() == ScalarType.Float) {
            return torch.rms_norm(x, lastDim, new TensorOptional(weight), new org.bytedeco.pytorch.DoubleOptional(eps));
        }
        Tensor normalised = torch.rms_norm(x.to(ScalarType.Float), lastDim, new TensorOptional(),
                new org.bytedeco.pytorch.DoubleOptional(eps));
        return normalised.to(x.scalar_type()).mul(weight);
    }

    /** CLIP's LayerNorm with affine weight and bias. */
    static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return torch.layer_norm(x, new long[] {x.size(-1)}, new TensorOptional(weight), new TensorOptional(bias), eps, false);
    }

    /** quick_gelu(x) = x * sigmoid(1.702 x), CLIP's activation. */
    static Tensor quickGelu(Tensor x) {
        return x.mul(torch.sigmoid(x.mul(QUICK_GELU_ALPHA)));
    }

    /** A 1-D int64 tensor on the given device. */
    static Tensor longs(long[] values, org.bytedeco.pytorch.Device device) {
        Tensor cpu = org.bytedeco.pytorch.AbstractTensor.create(values);
        return device.is_cuda() ? cpu.to(device, ScalarType.Long) : cpu;
    }
}
