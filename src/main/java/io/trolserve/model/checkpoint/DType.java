package io.trolserve.model.checkpoint;

import java.util.Locale;
import java.util.Optional;

/**
 * Element types a TroL checkpoint may store. Names follow the safetensors header ("F32") and
 * PyTorch's storage classes ("FloatStorage"); both are translated here, at the file boundary only.
 */
public enum DType {
    F32(4, "F32", "FloatStorage"),
    F16(2, "F16", "HalfStorage"),
    BF16(2, "BF16", "BFloat16Storage");

    private final int byteSize;
    private final String safetensorsName;
    private final String torchStorageClass;

    DType(int byteSize, String safetensorsName, String torchStorageClass) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
        this.torchStorageClass = torchStorageClass;
    }

    public int byteSize() {
        return byteSize;
    }

    public String safetensorsName() {
        return safetensorsName;
    }

    public String torchStorageClass() {
        return torchStorageClass;
    }

    public static Optional<DType> fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public static Optional<DType> fromTorchStorageClass(String name) {
        for (DType t : values()) {
            if (t.torchStorageClass.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Accepts the names users write in configuration: float32, fp16, bfloat16, ... */
    public static Optional<DType> fromUserName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "float32", "fp32", "f32", "float" -> Optional.of(F32);
            case "float16", "fp16", "f16", "half" -> Optional.of(F16);
            case "bfloat16", "bf16" -> Optional.of(BF16);
            default -> Optional.empty();
        };
    }
}
