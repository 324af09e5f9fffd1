"""Writes the torch.save fixtures that TorchSaveFixturesTest reads, with real PyTorch.

NOT run by CI: the .pt files and expected.json it writes are committed. Rerun it by hand when a
fixture should change, with a Python that has torch (on the dev machine: Debian's python3-torch,
`/usr/bin/python3 make_fixtures.py` from this folder; `python3` on PATH may lack torch).

It also writes values_protocol{2,4}.pkl, plain pickles for PickleMachineTest.

expected.json, per file and key: dtype, shape, stride, storage offset, storage key, and the
elements in row-major order as float32 bit patterns (so NaN, -0.0 and subnormals compare exactly).
"""

import json
import os
import pickle

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


def float_bits(t):
    return t.detach().contiguous().float().reshape(-1).view(torch.int32).tolist()


def describe(state):
    return {
        key: {
            "dtype": str(t.dtype).replace("torch.", ""),
            "shape": list(t.shape),
            "stride": list(t.stride()),
            "offset": t.storage_offset(),
            "storage": str(t.untyped_storage().data_ptr()) if hasattr(t, "untyped_storage")
            else str(t.storage().data_ptr()),
            "bits": float_bits(t),
        }
        for key, t in state.items()
    }


def save(name, state, location=None):
    """Saves state to name; location overrides the storage location tag (the official file says cuda:0)."""
    path = os.path.join(HERE, name)
    if location is None:
        torch.save(state, path)
    else:
        original = torch.serialization.location_tag
        torch.serialization.location_tag = lambda storage: location
        try:
            torch.save(state, path)
        finally:
            torch.serialization.location_tag = original
    info = describe(state)
    # Storage identity as the file numbers it: "0", "1", ... in order of first use.
    numbering = {}
    for entry in info.values():
        entry["storage"] = numbering.setdefault(entry["storage"], str(len(numbering)))
    return info


def main():
    torch.manual_seed(0)
    expected = {"torch_version": torch.__version__, "files": {}}
    files = expected["files"]

    # (a) The official pattern: one Linear shared by every layer, so all weights share one storage
    # and all biases another. The official module lived on the GPU; the second file carries its tag.
    gating = nn.ModuleList([nn.Linear(8, 1)] * 3).state_dict()
    files["trol_gating.pt"] = save("trol_gating.pt", gating)
    files["trol_gating_cuda.pt"] = save("trol_gating_cuda.pt", gating, location="cuda:0")

    # (b) Half and bfloat16 state dicts, with values that test exact widening.
    special = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.103515625e-05, 5.960464477539063e-08,
                            float("inf"), float("-inf"), float("nan"), 0.1, -1e-3])
    half = nn.Linear(3, 2).half().state_dict()
    half["special"] = special.half()
    files["half.pt"] = save("half.pt", half)
    bf16 = nn.Linear(3, 2).to(torch.bfloat16).state_dict()
    bf16["special"] = torch.tensor([0.0, -0.0, 1.0, 3.0e38, 1e-40, float("inf"), float("nan"), 0.1]).bfloat16()
    files["bfloat16.pt"] = save("bfloat16.pt", bf16)

    # (c) Views: a strided slice with an offset, a transpose, and a 0-dim element, all of one base.
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8
    files["views.pt"] = save("views.pt", {
        "base": base,
        "slice": base[1:3, 1::2],
        "transposed": base.t(),
        "scalar": base[3, 5],
    })

    # (d) A plain dict (not a state dict) holding a tensor and a Parameter.
    files["plain_dict.pt"] = save("plain_dict.pt", {
        "tensor": torch.tensor([[1.0, 2.0], [3.0, 4.0]]),
        "param": nn.Parameter(torch.tensor([1.5, -2.0])),
    })

    # Plain pickles of the value kinds PickleMachineTest checks, in torch's protocol 2 and in protocol 4
    # (FRAME, MEMOIZE, SHORT_BINUNICODE); bytes only in 4, as protocol 2 pickles them via _codecs.
    ints = (0, 1, 255, 256, 65535, 65536, -1, -256, -2**31, 2**31 - 1, 2**31, -2**31 - 1, 2**63 - 1, -2**63)
    common = (ints, 1.5, -0.0, "h\u00e9llo", [1, [2]], {"a": None, "b": True, "c": False}, ())
    with open(os.path.join(HERE, "values_protocol2.pkl"), "wb") as f:
        pickle.dump(common, f, protocol=2)
    with open(os.path.join(HERE, "values_protocol4.pkl"), "wb") as f:
        pickle.dump(common + (b"xy",), f, protocol=4)

    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
