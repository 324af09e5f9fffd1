package io.trolserve.model;

import java.util.Locale;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import io.trolserve.model.checkpoint.DType;
import io.trolserve.model.checkpoint.MappedWeights;
import io.trolserve.torch.Libtorch;

/**
 * Where the model runs and in which precision: {@code trol.device=auto|cpu|cuda|cuda:N} and
 * {@code trol.dtype=auto|float32|bfloat16|float16}. "auto" picks CUDA with bfloat16 when libtorch
 * sees a GPU, otherwise CPU with float32 (CPU half-precision kernels are slow and inexact).
 */
public record Placement(String deviceName, DType dtype) {

    public static Placement cpuFloat32() {
        return new Placement("cpu", DType.F32);
    }

    public static Placement resolve(String device, String dtype) {
        Libtorch.ensureLoaded();
        String d = device == null ? "auto" : device.trim().toLowerCase(Locale.ROOT);
        boolean cudaSeen = torch.cuda_is_available();
        String resolvedDevice;
        if (d.equals("auto")) {
            resolvedDevice = cudaSeen ? "cuda:0" : "cpu";
        } else if (d.equals("cpu")) {
            resolvedDevice = "cpu";
        } else if (d.matches("cuda(:\\d+)?")) {
            if (!cudaSeen) {
                throw new IllegalArgumentException("trol.device=" + device + " but libtorch sees no CUDA device"
                        + " (build with -Pgpu and install CUDA 13 and cuDNN 9 libraries)");
            }
            int index = d.equals("cuda") ? 0 : Integer.parseInt(d.substring(5));
            long count = torch.cuda_device_count();
            if (index >= count) {
                throw new IllegalArgumentException("trol.device=" + device + " but only " + count + " CUDA device(s) exist");
            }
            resolvedDevice = "cuda:" + index;
        } else {
            throw new IllegalArgumentException("trol.device must be auto, cpu, cuda or cuda:N, not '" + device + "'");
        }
        String t = dtype == null ? "auto" : dtype.trim();
        DType resolvedDtype;
        if (t.equalsIgnoreCase("auto")) {
            resolvedDtype = resolvedDevice.equals("cpu") ? DType.F32 : DType.BF16;
        } else {
            resolvedDtype = DType.fromUserName(t).orElseThrow(() -> new IllegalArgumentException(
                    "trol.dtype must be auto, float32, bfloat16 or float16, not '" + dtype + "'"));
        }
        return new Placement(resolvedDevice, resolvedDtype);
    }

    public boolean isCuda() {
        return deviceName.startsWith("cuda");
    }

    /** A new native Device handle; callers close it or create it inside a scope. */
    public Device device() {
        return new Device(deviceName);
    }

    public ScalarType scalarType() {
        return MappedWeights.scalarType(dtype);
    }

    @Override
    public String toString() {
        return deviceName + "/" + dtype.name().toLowerCase(Locale.ROOT);
    }
}
