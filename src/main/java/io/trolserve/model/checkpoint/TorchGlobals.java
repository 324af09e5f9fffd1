package io.trolserve.model.checkpoint;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The only Python names a {@code torch.save} state dict may refer to, and what they mean here. Nothing
 * is executed: the rebuild functions return {@link TensorRef} descriptions that the reader resolves
 * against the zip's storage records once the pickle has run.
 *
 * <p>Forms seen in files: torch 1.x and 2.x both pickle a float/half/bfloat16 tensor as
 * {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])}
 * with the persistent id {@code ('storage', torch.FloatStorage, '0', 'cpu', numel)}. torch 2.x uses
 * {@code _rebuild_tensor_v3(..., hooks, dtype[, metadata])} with {@code torch.UntypedStorage} (numel in
 * bytes) for dtypes that have no legacy storage class (float8, uint16, ...), naming the dtype by the
 * global {@code torch float8_e4m3fn}. That form is read too, so that such a file fails on its dtype,
 * by name, rather than on an unknown global.
 */
final class TorchGlobals implements PickleMachine.Globals {

    /** A storage class named by GLOBAL, e.g. FloatStorage; only a marker inside persistent ids. */
    record StorageClass(String name) {}

    /** A dtype named by GLOBAL, e.g. {@code torch float32}. */
    record TorchDType(String name) {}

    /** One persistent id: storage record {@code data/<key>} of {@code numel} elements of {@code type}. */
    record StorageRef(String key, String type, long numel, String location) {}

    /** A tensor as the pickle describes it; {@code type} is a storage class or dtype name. */
    record TensorRef(StorageRef storage, String type, long storageOffset, long[] shape, long[] stride) {}

    /** dtypes a file may name; only float32, float16 and bfloat16 are read, the rest fail by name. */
    private static final Set<String> DTYPE_NAMES = Set.of("float32", "float", "float16", "half", "bfloat16",
            "float64", "double", "int64", "long", "int32", "int", "int16", "short", "int8", "uint8", "uint16",
            "uint32", "uint64", "bool", "complex32", "complex64", "complex128", "float8_e4m3fn", "float8_e5m2",
            "float8_e4m3fnuz", "float8_e5m2fnuz");

    /** The DType of a storage class or dtype name, if it is one this project reads. */
    static Optional<DType> dtypeOf(String type) {
        return switch (type) {
            case "float32", "float" -> Optional.of(DType.F32);
            case "float16", "half" -> Optional.of(DType.F16);
            case "bfloat16" -> Optional.of(DType.BF16);
            default -> DType.fromTorchStorageClass(type);
        };
    }

    @Override
    public Object resolve(String module, String name) {
        PickleMachine.PickleFunction function = switch (module + "." + name) {
            case "collections.OrderedDict" -> TorchGlobals::orderedDict;
            case "torch._utils._rebuild_tensor_v2" -> args -> rebuildTensor(args, 6, null);
            case "torch._utils._rebuild_tensor_v3" -> args -> rebuildTensor(args, 7, dtypeArg(args));
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" ->
                    TorchGlobals::parameterData;
            default -> null;
        };
        if (function != null) {
            return function;
        }
        if ((module.equals("torch") || module.equals("torch.storage")) && name.endsWith("Storage")) {
            return new StorageClass(name);
        }
        if (module.equals("torch") && DTYPE_NAMES.contains(name)) {
            return new TorchDType(name);
        }
        throw new PickleException("the pickle refers to the Python global '" + module + "." + name + "', which "
                + "is not allowed: a state dict holds only tensors, storages and OrderedDicts");
    }

    /** {@code ('storage', torch.FloatStorage, '0', 'cpu', numel)}; any location is fine, we load to CPU. */
    @Override
    public Object persistentLoad(Object pid) {
        List<?> id = pid instanceof List<?> list ? list : List.of();
        if (id.size() != 5 || !"storage".equals(id.get(0)) || !(id.get(1) instanceof StorageClass type)
                || !(id.get(2) instanceof String key) || !(id.get(3) instanceof String location)
                || !(id.get(4) instanceof Long numel) || numel < 0) {
            throw new PickleException("a persistent id is not ('storage', <storage class>, key, location, numel)");
        }
        return new StorageRef(key, type.name(), numel, location);
    }

    private static Object orderedDict(List<Object> args) {
        if (!args.isEmpty()) {
            throw new PickleException("OrderedDict called with arguments; expected OrderedDict()");
        }
        return new LinkedHashMap<Object, Object>();
    }

    /** v2: (storage, offset, size, stride, requires_grad, hooks[, metadata]); v3 adds dtype before metadata. */
    private static TensorRef rebuildTensor(List<Object> args, int arity, TorchDType dtype) {
        if (args.size() != arity && args.size() != arity + 1) {
            throw new PickleException("tensor rebuild takes " + arity + " or " + (arity + 1)
                    + " arguments, got " + args.size());
        }
        if (!(args.get(0) instanceof StorageRef storage)) {
            throw new PickleException("tensor rebuild expects a storage, got " + PickleMachine.describe(args.get(0)));
        }
        long offset = asLong(args.get(1), "storage offset");
        String type = dtype == null ? storage.type() : dtype.name();
        return new TensorRef(storage, type, offset, longs(args.get(2), "size"), longs(args.get(3), "stride"));
    }

    private static TorchDType dtypeArg(List<Object> args) {
        if (args.size() < 7 || !(args.get(6) instanceof TorchDType dtype)) {
            throw new PickleException("_rebuild_tensor_v3 expects a torch dtype as its 7th argument");
        }
        return dtype;
    }

    private static Object parameterData(List<Object> args) {
        if (args.isEmpty() || !(args.get(0) instanceof TensorRef tensor)) {
            throw new PickleException("_rebuild_parameter expects a tensor as its first argument");
        }
        return tensor;
    }

    private static long asLong(Object value, String what) {
        if (!(value instanceof Long n)) {
            throw new PickleException(what + " must be an int, got " + PickleMachine.describe(value));
        }
        return n;
    }

    private static long[] longs(Object value, String what) {
        if (!(value instanceof List<?> list)) {
            throw new PickleException(what + " must be a tuple of ints, got " + PickleMachine.describe(value));
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(list.get(i), what);
        }
        return out;
    }
}
