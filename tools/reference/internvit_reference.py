#!/usr/bin/python3
"""Independent plain-PyTorch reference of TroL-3.8B's vision path: InternViT, pixel shuffle, projector.

Dev-time tool, NOT run by CI. It writes the fixtures under
src/test/resources/reference/internvit/<case>/ that io.trolserve.model.InternVitReferenceTest
compares the Java tower against:
  config.json   a TroL-3.8B style config: vision_config, downsample_ratio, llm_config.hidden_size
  case.json     how to rebuild the input tiles (an LCG, see tile_bytes) and how many
  weights.pt    torch.save of the module's state_dict(): the official tensor names
  expected.pt   torch.save of {'shuffled': (N, T, 4C), 'features': (N*T, H)}, float32

Written from docs/TROL_3_8B.md §1.3, §2 and §3.5 and the semantics of the official modules
(ByungKwanLee/TroL: trol/arch_phi3/modeling_intern_vit.py, the naive attention path;
trol/arch_phi3/modeling_trol.py extract_feature and vision_proj; utils/utils.py pixel_shuffle and
build_transform). The module attributes below follow the official module tree so that
state_dict() yields the official names. Everything is float32 on CPU.

Run with Debian's torch:  /usr/bin/python3 tools/reference/internvit_reference.py
"""
import collections
import json
import os

import torch
import torch.nn.functional as F
from torch import nn

torch.set_grad_enabled(False)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   '..', '..', 'src', 'test', 'resources', 'reference', 'internvit')
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


# ----------------------------------------------------------------------------------------------
# input tiles: bytes from a 31-bit LCG (too large to commit at 448 px; both sides regenerate them)
# ----------------------------------------------------------------------------------------------

def tile_bytes(seed, count):
    """state = (1103515245 * state + 12345) mod 2^31; each byte is bits 16..23 of the new state."""
    out = bytearray(count)
    state = seed
    for i in range(count):
        state = (1103515245 * state + 12345) & 0x7FFFFFFF
        out[i] = (state >> 16) & 0xFF
    return bytes(out)


def normalise(rgb, n, side):
    """ToTensor (uint8 HWC -> float32 CHW / 255) then Normalize(ImageNet), per tile, in float32."""
    hwc = torch.frombuffer(bytearray(rgb), dtype=torch.uint8).view(n, side, side, 3)
    x = hwc.permute(0, 3, 1, 2).to(torch.float32).div(255)
    mean = torch.as_tensor(IMAGENET_MEAN, dtype=torch.float32)[:, None, None]
    std = torch.as_tensor(IMAGENET_STD, dtype=torch.float32)[:, None, None]
    return (x - mean) / std


# ----------------------------------------------------------------------------------------------
# the model, by the official module tree
# ----------------------------------------------------------------------------------------------

class RMSNorm(nn.Module):
    """InternRMSNorm: normalise in float32, cast back, then scale."""

    def __init__(self, width, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.eps = eps

    def forward(self, x):
        f = x.float()
        f = f * torch.rsqrt(f.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * f.to(x.dtype)


def make_norm(cfg):
    if cfg['norm_type'] == 'layer_norm':
        return nn.LayerNorm(cfg['hidden_size'], eps=cfg['layer_norm_eps'])
    return RMSNorm(cfg['hidden_size'], cfg['layer_norm_eps'])


class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c, p = cfg['hidden_size'], cfg['patch_size']
        self.grid = cfg['image_size'] // p
        self.class_embedding = nn.Parameter(torch.zeros(1, 1, c))
        self.patch_embedding = nn.Conv2d(3, c, kernel_size=p, stride=p)
        self.position_embedding = nn.Parameter(torch.zeros(1, self.grid * self.grid + 1, c))

    def forward(self, pixels):
        patches = self.patch_embedding(pixels)                         # [N, C, h, w]
        n, c, h, w = patches.shape
        tokens = patches.flatten(2).transpose(1, 2)                    # [N, h*w, C], t = row*w + col
        x = torch.cat([self.class_embedding.expand(n, 1, c), tokens], dim=1)
        table = self.position_embedding
        grid = table[:, 1:, :].float().reshape(1, self.grid, self.grid, c).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, size=(h, w), mode='bicubic', align_corners=False)
        grid = grid.reshape(1, c, h * w).permute(0, 2, 1).to(table.dtype)
        return x + torch.cat([table[:, :1, :], grid], dim=1)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg['hidden_size']
        self.heads = cfg['num_attention_heads']
        self.qkv = nn.Linear(c, 3 * c, bias=cfg['qkv_bias'])
        self.qk_normalization = cfg['qk_normalization']
        if self.qk_normalization:
            self.q_norm = RMSNorm(c, cfg['layer_norm_eps'])
            self.k_norm = RMSNorm(c, cfg['layer_norm_eps'])
        self.proj = nn.Linear(c, c)

    def forward(self, x):
        n, t, c = x.shape
        d = c // self.heads
        q, k, v = self.qkv(x).reshape(n, t, 3, c).unbind(2)             # each [N, T, C]
        if self.qk_normalization:                                        # over all C, before heads
            q, k = self.q_norm(q), self.k_norm(k)
        q, k, v = (z.reshape(n, t, self.heads, d).transpose(1, 2) for z in (q, k, v))
        weights = torch.softmax((q * d ** -0.5) @ k.transpose(-2, -1), dim=-1)   # non-causal
        return self.proj((weights @ v).transpose(1, 2).reshape(n, t, c))


class Mlp(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.fc1 = nn.Linear(cfg['hidden_size'], cfg['intermediate_size'])
        self.fc2 = nn.Linear(cfg['intermediate_size'], cfg['hidden_size'])

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))                             # exact erf GELU


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attn = Attention(cfg)
        self.mlp = Mlp(cfg)
        self.norm1 = make_norm(cfg)
        self.norm2 = make_norm(cfg)
        self.ls1 = nn.Parameter(torch.ones(cfg['hidden_size']))
        self.ls2 = nn.Parameter(torch.ones(cfg['hidden_size']))

    def forward(self, x):
        x = x + self.attn(self.norm1(x)) * self.ls1
        return x + self.mlp(self.norm2(x)) * self.ls2


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layers = nn.ModuleList([Layer(cfg) for _ in range(cfg['num_hidden_layers'])])


class VisionModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.encoder = Encoder(cfg)

    def forward(self, pixels):
        x = self.embeddings(pixels)
        for layer in self.encoder.layers:
            x = layer(x)
        return x                                                         # last layer, no final norm


def pixel_shuffle(x, ratio=0.5):
    """utils.pixel_shuffle: two view/permute steps; the last permute always happens."""
    n, w, h, c = x.size()
    x = x.view(n, w, int(h * ratio), int(c / ratio)).permute(0, 2, 1, 3).contiguous()
    x = x.view(n, int(h * ratio), int(w * ratio), int(c / (ratio * ratio)))
    return x.permute(0, 2, 1, 3).contiguous()


class Tower(nn.Module):
    def __init__(self, config):
        super().__init__()
        v = config['vision_config']
        wide = v['hidden_size'] * int(1 / config['downsample_ratio']) ** 2
        lm = config['llm_config']['hidden_size']
        self.ratio = config['downsample_ratio']
        self.vision_model = VisionModel(v)
        self.vision_proj = nn.Sequential(nn.LayerNorm(wide), nn.Linear(wide, lm), nn.GELU(), nn.Linear(lm, lm))

    def shuffled(self, pixels):
        x = self.vision_model(pixels)[:, 1:, :]                          # class row dropped
        side = int(x.shape[1] ** 0.5)
        x = pixel_shuffle(x.reshape(x.shape[0], side, side, -1), self.ratio)
        return x.reshape(x.shape[0], -1, x.shape[-1])

    def features(self, shuffled):
        out = self.vision_proj(shuffled)
        return out.reshape(-1, out.shape[-1])                            # tiles in order


# ----------------------------------------------------------------------------------------------
# self-checks of the facts the Java side relies on
# ----------------------------------------------------------------------------------------------

def check_shuffle_mapping():
    """§2 step 7: token r*16+c, channel t*2C + s*C + ch holds x[2r+t, 2c+s, ch]."""
    g, c = 32, 3
    x = torch.arange(g * g * c, dtype=torch.float32).reshape(1, g, g, c)
    y = pixel_shuffle(x).reshape(1, (g // 2) ** 2, 4 * c)
    for r in range(g // 2):
        for col in range(g // 2):
            for t in range(2):
                for s in range(2):
                    for ch in range(c):
                        assert y[0, r * (g // 2) + col, t * 2 * c + s * c + ch] == x[0, 2 * r + t, 2 * col + s, ch]


def check_same_size_bicubic_is_identity():
    x = torch.randn(1, 5, 7, 7, generator=torch.Generator().manual_seed(3))
    assert torch.equal(F.interpolate(x, size=(7, 7), mode='bicubic', align_corners=False), x)


# ----------------------------------------------------------------------------------------------
# cases
# ----------------------------------------------------------------------------------------------

def randomise(model, seed):
    """Random weights with scales that keep activations O(1) through the layers."""
    gen = torch.Generator().manual_seed(seed)
    for name, p in model.named_parameters():
        shape = p.shape
        if name.endswith(('norm1.weight', 'norm2.weight', 'q_norm.weight', 'k_norm.weight', 'vision_proj.0.weight')):
            value = 1 + 0.2 * torch.randn(shape, generator=gen)
        elif name.endswith(('ls1', 'ls2')):
            value = 0.5 + 0.5 * torch.rand(shape, generator=gen)
        elif name.endswith(('class_embedding', 'position_embedding')):
            value = 0.5 * torch.randn(shape, generator=gen)
        elif name.endswith('.weight') and p.dim() >= 2:
            fan_in = p[0].numel()
            value = torch.randn(shape, generator=gen) / fan_in ** 0.5
        else:
            value = 0.1 * torch.randn(shape, generator=gen)
        p.copy_(value)


CASES = [
    # the published shape: 448 px tiles, 32x32 patches, LayerNorm, qkv bias, no qk norm; 2 tiles
    dict(name='layer-norm-448', seed=101, tiles=2, side=448, lm_hidden=24,
         vision=dict(hidden_size=8, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                     patch_size=14, image_size=448, qkv_bias=True, qk_normalization=False,
                     norm_type='layer_norm', layer_norm_eps=1e-6, hidden_act='gelu')),
    # InternViT-6B style: RMSNorm and qk normalisation over the full width
    dict(name='rms-norm-qk-norm', seed=202, tiles=2, side=112, lm_hidden=16,
         vision=dict(hidden_size=8, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                     patch_size=14, image_size=112, qkv_bias=True, qk_normalization=True,
                     norm_type='rms_norm', layer_norm_eps=1e-5, hidden_act='gelu')),
    # tiles larger than the stored table: the position grid 6x6 is resized bicubically to 8x8
    dict(name='resized-positions', seed=303, tiles=1, side=112, lm_hidden=16,
         vision=dict(hidden_size=8, intermediate_size=24, num_hidden_layers=2, num_attention_heads=2,
                     patch_size=14, image_size=84, qkv_bias=False, qk_normalization=True,
                     norm_type='layer_norm', layer_norm_eps=1e-6, hidden_act='gelu')),
]


def write_case(case):
    config = {
        'model_type': 'trol',
        'downsample_ratio': 0.5,
        'vision_config': case['vision'],
        'llm_config': {'hidden_size': case['lm_hidden']},
    }
    torch.manual_seed(0)
    model = Tower(config).eval()
    randomise(model, case['seed'])
    n, side = case['tiles'], case['side']
    pixels = normalise(tile_bytes(case['seed'], n * side * side * 3), n, side)
    shuffled = model.shuffled(pixels)
    features = model.features(shuffled)
    grid = side // case['vision']['patch_size']
    assert shuffled.shape == (n, (grid // 2) ** 2, 4 * case['vision']['hidden_size'])
    assert features.shape == (n * (grid // 2) ** 2, case['lm_hidden'])

    d = os.path.join(OUT, case['name'])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    with open(os.path.join(d, 'case.json'), 'w') as f:
        json.dump({'tiles': n, 'side': side, 'lcg_seed': case['seed']}, f, indent=2)
        f.write('\n')
    state = collections.OrderedDict((k, v.detach().clone().contiguous()) for k, v in model.state_dict().items())
    torch.save(state, os.path.join(d, 'weights.pt'))
    torch.save(collections.OrderedDict([('shuffled', shuffled.contiguous()), ('features', features.contiguous())]),
               os.path.join(d, 'expected.pt'))
    print(f"{case['name']}: {len(state)} tensors, shuffled {tuple(shuffled.shape)}, features "
          f"{tuple(features.shape)}, |features| max {features.abs().max():.3f}")


def main():
    check_shuffle_mapping()
    check_same_size_bicubic_is_identity()
    for case in CASES:
        write_case(case)


if __name__ == '__main__':
    main()
