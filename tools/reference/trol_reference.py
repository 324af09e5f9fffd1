#!/usr/bin/python3
"""Independent plain-PyTorch re-implementation of the official TroL (InternLM2 variant) forward.

Dev-time tool, NOT run by CI. It writes src/test/resources/reference/expected.json, which
io.trolserve.model.OfficialReferenceTest compares the Java engine against.

What it mirrors (official repository ByungKwanLee/TroL):
  * trol/arch_internlm2/modeling_trol.py   TroLForCausalLM: image normalisation, vision_proj,
                                           merge of image features into the token embeddings,
                                           the decode branch (im_mask all False, position from mask)
  * trol/arch_internlm2/modeling_internlm2.py
                                           RMSNorm, rotary embedding (+ its cos/sin cache),
                                           eager InternLM2Attention with the additive
                                           _make_causal_mask/_expand_mask masks, repeat_kv,
                                           kv-head-major split of wqkv, decoder layer and
                                           InternLM2Model.forward's traversal (two passes with
                                           the same past_key_value, gate on pass 1, pass-1 K/V kept)
  * trol/arch_internlm2/build_module.py    LoRA (Plora) with its im_mask handling, the CLIP tower
                                           (select_layer -1, patch tokens), resize_pos, projector
  * trol/load_trol.py                      gating: ONE Linear shared by all layers, loaded with
                                           load_state_dict from trol_gating.pt
Hugging Face CLIPVisionModel semantics are re-implemented here (no transformers dependency).
HF generate greedy with use_cache=True is mimicked: one forward over the whole prompt, then one
token per step with the cache.

Run with Debian's torch:  /usr/bin/python3 tools/reference/trol_reference.py
Everything is float32 on CPU.
"""
import argparse
import json
import math
import os
import random
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn

torch.set_grad_enabled(False)

# ----------------------------------------------------------------------------------------------
# checkpoint reading
# ----------------------------------------------------------------------------------------------

_ST_DTYPES = {
    'F32': torch.float32,
    'F16': torch.float16,
    'BF16': torch.bfloat16,
    'F64': torch.float64,
    'I64': torch.int64,
    'I32': torch.int32,
}


def read_safetensors(path):
    """Parse a safetensors file: u64 LE header length, JSON header, raw little-endian data."""
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n].decode('utf-8'))
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == '__metadata__':
            continue
        dtype = _ST_DTYPES[meta['dtype']]
        start, end = meta['data_offsets']
        buf = bytearray(raw[base + start:base + end])
        if len(buf) == 0:
            t = torch.empty(0, dtype=dtype)
        else:
            t = torch.frombuffer(buf, dtype=dtype)
        out[name] = t.reshape(meta['shape']).clone()
    return out


def read_weights(ckpt_dir):
    single = os.path.join(ckpt_dir, 'model.safetensors')
    if os.path.exists(single):
        return read_safetensors(single)
    with open(os.path.join(ckpt_dir, 'model.safetensors.index.json')) as f:
        index = json.load(f)
    out = {}
    for shard in sorted(set(index['weight_map'].values())):
        out.update(read_safetensors(os.path.join(ckpt_dir, shard)))
    return out


class Cfg:
    def __init__(self, d):
        self.__dict__.update(d)


def read_config(ckpt_dir):
    with open(os.path.join(ckpt_dir, 'config.json')) as f:
        d = json.load(f)
    cfg = Cfg(d)
    cfg.num_key_value_heads = d.get('num_key_value_heads') or d['num_attention_heads']
    cfg.rope_scaling = d.get('rope_scaling')
    cfg.rope_theta = d.get('rope_theta', 10000)
    cfg.bias = d.get('bias', True)
    cfg.plora_rank = d.get('plora_rank', 256)
    vc = {  # ViT-L/14-336 defaults, as the official build_vision_tower fixes them
        'hidden_size': 1024, 'intermediate_size': 4096, 'num_hidden_layers': 24,
        'num_attention_heads': 16, 'patch_size': 14, 'image_size': 490,
        'layer_norm_eps': 1e-5, 'hidden_act': 'quick_gelu',
    }
    vc.update(d.get('vision_config') or {})
    cfg.vision = Cfg(vc)
    cfg.image_token_index = cfg.vocab_size  # "<image>" = V; the embedding has V+1 rows
    return cfg


# ----------------------------------------------------------------------------------------------
# InternLM2 pieces (modeling_internlm2.py)
# ----------------------------------------------------------------------------------------------

def causal_additive_mask(bsz, tgt_len, dtype, past_len=0):
    """_make_causal_mask: finfo.min above the diagonal, zero columns for the past."""
    m = torch.full((tgt_len, tgt_len), torch.finfo(dtype).min)
    cond = torch.arange(tgt_len)
    m.masked_fill_(cond < (cond + 1).view(tgt_len, 1), 0)
    m = m.to(dtype)
    if past_len > 0:
        m = torch.cat([torch.zeros(tgt_len, past_len, dtype=dtype), m], dim=-1)
    return m[None, None].expand(bsz, 1, tgt_len, tgt_len + past_len)


def expand_padding_mask(mask, dtype, tgt_len):
    """_expand_mask: [b, src] 0/1 -> [b, 1, tgt, src] with 0 for attended and finfo.min else."""
    b, src = mask.shape
    em = mask[:, None, None, :].expand(b, 1, tgt_len, src).to(dtype)
    inv = 1.0 - em
    return inv.masked_fill(inv.to(torch.bool), torch.finfo(dtype).min)


def decoder_attention_mask(mask2d, bsz, seq_len, dtype, past_len):
    """_prepare_decoder_attention_mask."""
    combined = None
    if seq_len > 1:
        combined = causal_additive_mask(bsz, seq_len, dtype, past_len)
    if mask2d is not None:
        exp = expand_padding_mask(mask2d, dtype, seq_len)
        combined = exp if combined is None else exp + combined
    return combined


class RMSNorm(nn.Module):
    def __init__(self, h, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(h))
        self.eps = eps

    def forward(self, x):
        dt = x.dtype
        x = x.to(torch.float32)
        var = x.pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(var + self.eps)
        return self.weight * x.to(dt)


class Rotary(nn.Module):
    """InternLM2RotaryEmbedding: a cos/sin table up to max_seq_len_cached, rebuilt if exceeded."""

    def __init__(self, dim, max_pos, base):
        super().__init__()
        self.dim = dim
        self.max_position_embeddings = max_pos
        self.base = base
        self.inv_freq = 1.0 / (self.base ** (torch.arange(0, dim, 2).float() / dim))
        self._build(max_pos, torch.get_default_dtype())

    def _table(self, seq_len, dtype):
        self.max_seq_len_cached = seq_len
        t = torch.arange(seq_len, dtype=self.inv_freq.dtype)
        freqs = torch.einsum('i,j->ij', t, self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.cos_cached = emb.cos().to(dtype)
        self.sin_cached = emb.sin().to(dtype)

    def _build(self, seq_len, dtype):
        self._table(seq_len, dtype)

    def forward(self, x, seq_len):
        if seq_len > self.max_seq_len_cached:
            self._build(seq_len, x.dtype)
        return self.cos_cached[:seq_len].to(x.dtype), self.sin_cached[:seq_len].to(x.dtype)


class DynamicNTKRotary(Rotary):
    """InternLM2DynamicNTKScalingRotaryEmbedding (stateful like the official one)."""

    def __init__(self, dim, max_pos, base, factor):
        self.scaling_factor = factor
        super().__init__(dim, max_pos, base)

    def _build(self, seq_len, dtype):
        if seq_len > self.max_position_embeddings:
            base = self.base * ((self.scaling_factor * seq_len / self.max_position_embeddings)
                                - (self.scaling_factor - 1)) ** (self.dim / (self.dim - 2))
            self.inv_freq = 1.0 / (base ** (torch.arange(0, self.dim, 2).float() / self.dim))
        self._table(seq_len, dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rope(q, k, cos, sin, position_ids):
    c = cos[position_ids].unsqueeze(1)
    s = sin[position_ids].unsqueeze(1)
    return q * c + rotate_half(q) * s, k * c + rotate_half(k) * s


class Plora(nn.Module):
    """build_module.LoRA at inference (dropout off): ffn(x) (+ lora_B(lora_A(x)) * alpha/r on im_mask rows)."""

    def __init__(self, fin, fout, bias, r):
        super().__init__()
        self.ffn = nn.Linear(fin, fout, bias=bias)
        self.lora_A = nn.Linear(fin, r, bias=False)
        self.lora_B = nn.Linear(r, fout, bias=False)
        self.scaling = r / r  # lora_alpha = lora_r

    def forward(self, x, im_mask=None):
        res = self.ffn(x)
        if im_mask is not None:
            if torch.sum(im_mask) > 0:
                part = x[im_mask]
                res[im_mask] += self.lora_B(self.lora_A(part)) * self.scaling
            else:
                part = x[:, :1]
                res[:, :1] += self.lora_B(self.lora_A(part)) * 0
        return res


def repeat_kv(x, n_rep):
    b, nkv, slen, d = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None].expand(b, nkv, n_rep, slen, d).reshape(b, nkv * n_rep, slen, d)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.hidden_size = cfg.hidden_size
        self.num_heads = cfg.num_attention_heads
        self.head_dim = cfg.hidden_size // cfg.num_attention_heads
        self.nkv = cfg.num_key_value_heads
        self.groups = self.num_heads // self.nkv
        r = cfg.plora_rank
        self.wqkv = Plora(cfg.hidden_size, (self.num_heads + 2 * self.nkv) * self.head_dim, cfg.bias, r)
        self.wo = Plora(self.num_heads * self.head_dim, cfg.hidden_size, cfg.bias, r)
        if cfg.rope_scaling is None:
            self.rotary_emb = Rotary(self.head_dim, cfg.max_position_embeddings, cfg.rope_theta)
        else:
            if cfg.rope_scaling['type'] != 'dynamic':
                raise ValueError('only dynamic rope scaling exists in the official code')
            self.rotary_emb = DynamicNTKRotary(self.head_dim, cfg.max_position_embeddings, cfg.rope_theta,
                                               cfg.rope_scaling['factor'])

    def forward(self, x, attention_mask, position_ids, past_key_value, im_mask):
        bsz, q_len, _ = x.shape
        qkv = self.wqkv(x, im_mask)
        # rearrange 'b q (h gs d) -> b q h gs d', gs = groups + 2  (kv-head-major)
        qkv = qkv.view(bsz, q_len, self.nkv, self.groups + 2, self.head_dim)
        q = qkv[..., :self.groups, :].reshape(bsz, q_len, self.nkv * self.groups, self.head_dim)
        k = qkv[..., -2, :]
        v = qkv[..., -1, :]
        q = q.transpose(1, 2)
        k = k.transpose(1, 2)
        v = v.transpose(1, 2)

        kv_seq_len = k.shape[-2]
        if past_key_value is not None:
            kv_seq_len += past_key_value[0].shape[-2]
        cos, sin = self.rotary_emb(v, seq_len=kv_seq_len)
        q, k = apply_rope(q, k, cos, sin, position_ids)

        if past_key_value is not None:
            k = torch.cat([past_key_value[0], k], dim=2)
            v = torch.cat([past_key_value[1], v], dim=2)
        present = (k, v)

        k = repeat_kv(k, self.groups)
        v = repeat_kv(v, self.groups)
        w = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim)
        assert w.shape == (bsz, self.num_heads, q_len, kv_seq_len)
        if attention_mask is not None:
            assert attention_mask.shape == (bsz, 1, q_len, kv_seq_len)
            w = w + attention_mask
        w = F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        o = torch.matmul(w, v)
        o = o.transpose(1, 2).contiguous().reshape(bsz, q_len, self.hidden_size)
        return self.wo(o, im_mask), present


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        r = cfg.plora_rank
        self.w1 = Plora(cfg.hidden_size, cfg.intermediate_size, False, r)
        self.w3 = Plora(cfg.hidden_size, cfg.intermediate_size, False, r)
        self.w2 = Plora(cfg.intermediate_size, cfg.hidden_size, False, r)
        assert cfg.hidden_act == 'silu'

    def forward(self, x, im_mask):
        return self.w2(F.silu(self.w1(x, im_mask)) * self.w3(x, im_mask), im_mask)


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = Attention(cfg)
        self.feed_forward = MLP(cfg)
        self.attention_norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.ffn_norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)

    def forward(self, x, attention_mask, position_ids, past_key_value, im_mask):
        residual = x
        h, present = self.attention(self.attention_norm(x), attention_mask, position_ids, past_key_value, im_mask)
        x = residual + h
        residual = x
        x = residual + self.feed_forward(self.ffn_norm(x), im_mask)
        return x, present


class InternLM2(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.tok_embeddings = nn.Embedding(cfg.vocab_size + 1, cfg.hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg.num_hidden_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.trace = None  # optional list collecting per-layer hidden states (debugging)

    def initialize_trol_gating(self):
        # load_trol / initialize_trol_gating: ONE Linear repeated L times in the ModuleList
        shared = nn.Linear(self.cfg.hidden_size, 1)
        self.trol_gating = nn.ModuleList([shared] * self.cfg.num_hidden_layers)

    def trol_function(self, x, idx):
        return 0.5 * torch.tanh(self.trol_gating[idx](x)) + 0.5

    def forward(self, inputs_embeds, attention_mask, position_ids, past_key_values, im_mask):
        bsz, seq_len = inputs_embeds.shape[:2]
        past_len = past_key_values[0][0].shape[2] if past_key_values is not None else 0
        if position_ids is None:
            position_ids = torch.arange(past_len, seq_len + past_len, dtype=torch.long).unsqueeze(0)
        if attention_mask is None:
            attention_mask = torch.ones((bsz, seq_len + past_len), dtype=torch.bool)
        attention_mask = decoder_attention_mask(attention_mask, bsz, seq_len, inputs_embeds.dtype, past_len)

        hidden = inputs_embeds
        cache = ()
        for idx, layer in enumerate(self.layers):
            past = past_key_values[idx] if past_key_values is not None else None
            if hidden.shape[1] > 1:
                outs, kvs = [], []
                for _ in range(2):  # both passes get the same `past`
                    hidden, present = layer(hidden, attention_mask, position_ids, past, im_mask)
                    outs.append(hidden)
                    kvs.append(present)
                score = self.trol_function(outs[0], idx)
                updated = outs[0] * (1 - score) + outs[1] * score
                kept = kvs[0]
                if self.trace is not None:
                    self.trace.append(('layer%d.pass1' % idx, outs[0]))
                    self.trace.append(('layer%d.pass2' % idx, outs[1]))
                    self.trace.append(('layer%d.gate' % idx, score))
            else:
                updated, kept = layer(hidden, attention_mask, position_ids, past, im_mask)
            hidden = updated
            if self.trace is not None:
                self.trace.append(('layer%d.out' % idx, hidden))
            cache += (kept,)
        return self.norm(hidden), cache


# ----------------------------------------------------------------------------------------------
# CLIP vision tower (HF CLIPVisionModel semantics) + build_module.CLIPVisionTower
# ----------------------------------------------------------------------------------------------

def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


_VISION_ACTS = {
    'quick_gelu': quick_gelu,
    'gelu': F.gelu,
}


class ClipAttention(nn.Module):
    def __init__(self, c, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = c // heads
        self.scale = self.head_dim ** -0.5
        self.q_proj = nn.Linear(c, c)
        self.k_proj = nn.Linear(c, c)
        self.v_proj = nn.Linear(c, c)
        self.out_proj = nn.Linear(c, c)

    def _shape(self, t, n, b):
        return t.view(b, n, self.heads, self.head_dim).transpose(1, 2).contiguous()

    def forward(self, x):
        b, n, c = x.shape
        q = self.q_proj(x) * self.scale
        k = self._shape(self.k_proj(x), n, b)
        v = self._shape(self.v_proj(x), n, b)
        shape = (b * self.heads, -1, self.head_dim)
        q = self._shape(q, n, b).view(*shape)
        k = k.view(*shape)
        v = v.view(*shape)
        w = torch.bmm(q, k.transpose(1, 2))
        w = F.softmax(w, dim=-1)
        o = torch.bmm(w, v)
        o = o.view(b, self.heads, n, self.head_dim).transpose(1, 2).reshape(b, n, c)
        return self.out_proj(o)


class ClipMLP(nn.Module):
    def __init__(self, c, ci, act):
        super().__init__()
        self.fc1 = nn.Linear(c, ci)
        self.fc2 = nn.Linear(ci, c)
        self.act = _VISION_ACTS[act]

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class ClipLayer(nn.Module):
    def __init__(self, vc):
        super().__init__()
        self.self_attn = ClipAttention(vc.hidden_size, vc.num_attention_heads)
        self.layer_norm1 = nn.LayerNorm(vc.hidden_size, eps=vc.layer_norm_eps)
        self.mlp = ClipMLP(vc.hidden_size, vc.intermediate_size, vc.hidden_act)
        self.layer_norm2 = nn.LayerNorm(vc.hidden_size, eps=vc.layer_norm_eps)

    def forward(self, x):
        residual = x
        x = residual + self.self_attn(self.layer_norm1(x))
        residual = x
        return residual + self.mlp(self.layer_norm2(x))


class ClipVision(nn.Module):
    """CLIPVisionModel.vision_model with the official resize_pos applied (generalised n -> grid)."""

    def __init__(self, vc, weights, prefix):
        super().__init__()
        self.vc = vc
        c = vc.hidden_size
        self.patch_size = vc.patch_size
        self.class_embedding = weights[prefix + 'embeddings.class_embedding'].float()
        conv = nn.Conv2d(3, c, kernel_size=vc.patch_size, stride=vc.patch_size, bias=False)
        conv.weight.data = weights[prefix + 'embeddings.patch_embedding.weight'].float()
        self.patch_embedding = conv
        self.position_table = self.resize_pos(weights[prefix + 'embeddings.position_embedding.weight'].float())
        self.pre_layrnorm = nn.LayerNorm(c, eps=vc.layer_norm_eps)
        self.layers = nn.ModuleList([ClipLayer(vc) for _ in range(vc.num_hidden_layers)])
        load_into(self.pre_layrnorm, weights, prefix + 'pre_layrnorm.')
        for j, layer in enumerate(self.layers):
            load_into(layer, weights, prefix + 'encoder.layers.%d.' % j)

    def resize_pos(self, table):
        """build_module.CLIPVisionTower.resize_pos with 24 -> n and 35 -> image_size/patch_size."""
        grid = self.vc.image_size // self.vc.patch_size
        rows, c = table.shape
        pos = table.unsqueeze(0)
        if rows == grid * grid + 1:
            self.resized = False
            return table
        n = int(round(math.sqrt(rows - 1)))
        assert n * n + 1 == rows, 'position table has %d rows, not n*n+1' % rows
        extra = pos[:, :1]
        tokens = pos[:, 1:].reshape(-1, n, n, c).permute(0, 3, 1, 2)
        tokens = F.interpolate(tokens, size=(grid, grid), mode='bicubic', align_corners=False)
        tokens = tokens.permute(0, 2, 3, 1).flatten(1, 2)
        self.resized = True
        return torch.cat((extra, tokens), dim=1).squeeze(0).to(table.dtype)

    def forward(self, pixel_values):
        b = pixel_values.shape[0]
        patches = self.patch_embedding(pixel_values.to(self.patch_embedding.weight.dtype))
        patches = patches.flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(b, 1, -1)
        x = torch.cat([cls, patches], dim=1)
        position_ids = torch.arange(self.position_table.shape[0]).expand((1, -1))
        x = x + F.embedding(position_ids, self.position_table)
        x = self.pre_layrnorm(x)
        hidden_states = [x]
        for layer in self.layers:
            x = layer(x)
            hidden_states.append(x)
        # select_layer = -1 of hidden_states (post_layernorm NOT applied), select_feature = 'patch'
        return hidden_states[-1][:, 1:]


def load_into(module, weights, prefix):
    sd = {}
    for name, _ in module.state_dict().items():
        sd[name] = weights[prefix + name].float()
    module.load_state_dict(sd, strict=True)


# ----------------------------------------------------------------------------------------------
# TroLForCausalLM (modeling_trol.py)
# ----------------------------------------------------------------------------------------------

MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(1, -1, 1, 1) * 255
STD = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(1, -1, 1, 1) * 255


class TroL(nn.Module):
    def __init__(self, ckpt_dir):
        super().__init__()
        cfg = read_config(ckpt_dir)
        self.cfg = cfg
        w = read_weights(ckpt_dir)
        self.model = InternLM2(cfg)
        self.output = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        lm = {k[len('model.'):]: v.float() for k, v in w.items() if k.startswith('model.')}
        missing, unexpected = self.model.load_state_dict(lm, strict=False)
        assert not missing and not unexpected, (missing, unexpected)
        self.output.weight.data = w['output.weight'].float()
        self.vit = ClipVision(cfg.vision, w, 'vit.vision_tower.vision_model.')
        c = cfg.vision.hidden_size
        self.vision_proj = nn.Sequential(nn.Linear(c, cfg.hidden_size), nn.GELU(),
                                         nn.Linear(cfg.hidden_size, cfg.hidden_size))
        load_into(self.vision_proj, w, 'vision_proj.')
        # load_trol: initialize_trol_gating() then load_state_dict(torch.load(trol_gating.pt))
        self.model.initialize_trol_gating()
        gating = torch.load(os.path.join(ckpt_dir, 'trol_gating.pt'), map_location='cpu')
        gating = {k: v.float() for k, v in gating.items()}
        self.model.trol_gating.load_state_dict(gating)
        self.gating_entries_differ = any(
            not torch.equal(gating['%d.weight' % i], gating['0.weight'])
            or not torch.equal(gating['%d.bias' % i], gating['0.bias'])
            for i in range(cfg.num_hidden_layers))
        self.non_attended_hits = 0

    def image_processor(self, images):
        return (images - MEAN) / STD

    def clip_features(self, pixel_values):
        return self.vit(pixel_values)

    def merge(self, image_features, inputs_embeds, input_ids):
        """_merge_input_embeds_with_image_features."""
        k = 0
        _, C, D = image_features.shape
        for b, ids in enumerate(input_ids):
            where = torch.where(ids == self.cfg.image_token_index)
            per_sample = len(where[0]) // C
            inputs_embeds[b][where] = image_features[k:k + per_sample].view(-1, D)
            k += per_sample

    def forward(self, input_ids, image_features, attention_mask, im_mask, position_ids, past_key_values):
        inputs_embeds = self.model.tok_embeddings(input_ids)
        if image_features is not None and input_ids.shape[1] != 1:
            projected = self.vision_proj(image_features.to(inputs_embeds.dtype))
            self.merge(projected, inputs_embeds, input_ids)
        elif past_key_values is not None and image_features is not None and input_ids.shape[1] == 1:
            first = past_key_values[0][0][:, :, :, 0]
            batch_index, non_attended = torch.where(first.float().sum(-2) == 0)
            target_length = input_ids.shape[1]
            past_length = first.shape[-1]
            ext = torch.ones((attention_mask.shape[0], past_length), dtype=attention_mask.dtype)
            valid = non_attended < ext.size(-1)
            self.non_attended_hits += int(valid.sum())
            ext[batch_index[valid], non_attended[valid]] = 0
            attention_mask = torch.cat((ext, attention_mask[:, -target_length:]), dim=1)
            position_ids = torch.sum(attention_mask, dim=1).unsqueeze(-1) - 1
            im_mask = torch.zeros(inputs_embeds.shape[:2]).bool()
        hidden, cache = self.model(inputs_embeds, attention_mask, position_ids, past_key_values, im_mask)
        return self.output(hidden), cache

    @staticmethod
    def prepare_inputs(input_ids, past_key_values, attention_mask):
        """prepare_inputs_for_generation."""
        if past_key_values is not None:
            past_length = past_key_values[0][0].shape[2]
            remove = past_length if input_ids.shape[1] > past_length else input_ids.shape[1] - 1
            input_ids = input_ids[:, remove:]
        position_ids = attention_mask.long().cumsum(-1) - 1
        position_ids.masked_fill_(attention_mask == 0, 1)
        if past_key_values:
            position_ids = position_ids[:, -input_ids.shape[1]:]
        return input_ids, position_ids

    def generate_greedy(self, prompt_ids, rgb_images, max_new_tokens):
        """HF generate(do_sample=False, use_cache=True) over eval_process's outputs; no stop token."""
        input_ids = torch.tensor([prompt_ids], dtype=torch.long)
        attention_mask = torch.ones_like(input_ids)
        im_mask = torch.zeros_like(input_ids).bool()
        im_mask[torch.where(input_ids == self.cfg.image_token_index)] = True
        image_features = None
        if rgb_images:
            pixels = torch.stack([img for img in rgb_images])  # uint8 [N, 3, S, S], already S x S
            image_features = self.clip_features(self.image_processor(pixels.float()))
        past = None
        generated, step_logits = [], []
        for _ in range(max_new_tokens):
            ids, position_ids = self.prepare_inputs(input_ids, past, attention_mask)
            logits, past = self.forward(ids, image_features, attention_mask, im_mask, position_ids, past)
            last = logits[:, -1, :].float()
            nxt = torch.argmax(last, dim=-1)
            step_logits.append(last[0].clone())
            generated.append(int(nxt[0]))
            input_ids = torch.cat([input_ids, nxt[:, None]], dim=-1)
            attention_mask = torch.cat([attention_mask, attention_mask.new_ones((1, 1))], dim=-1)
        return generated, step_logits


# ----------------------------------------------------------------------------------------------
# cases
# ----------------------------------------------------------------------------------------------

def load_rgb(path, w, h):
    with open(path, 'rb') as f:
        data = f.read()
    assert len(data) == w * h * 3, len(data)
    t = torch.frombuffer(bytearray(data), dtype=torch.uint8).reshape(h, w, 3)
    return t.permute(2, 0, 1).contiguous()  # pil_to_tensor layout [3, H, W]


def prompt_ids(seed, vocab, image_tokens, image_id):
    rnd = random.Random(seed)
    ids = [1] + [rnd.randrange(3, vocab - 3) for _ in range(12)]
    if image_tokens:
        ids += [image_id] * image_tokens
    ids += [rnd.randrange(3, vocab - 3) for _ in range(8)]
    return ids


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, '..', '..'))
    ap = argparse.ArgumentParser()
    ap.add_argument('--refdir', default=os.path.join(root, 'src', 'test', 'resources', 'reference'))
    ap.add_argument('--out', default=None)
    ap.add_argument('--new-tokens', type=int, default=10)
    ap.add_argument('--trace', action='store_true', help='print per-layer prompt hidden states')
    args = ap.parse_args()
    out_path = args.out or os.path.join(args.refdir, 'expected.json')

    cases = []
    for ci, name in enumerate(['gqa-resized-positions', 'mha-bias']):
        m = TroL(os.path.join(args.refdir, name))
        m.eval()
        vc = m.cfg.vision
        side = vc.image_size
        grid = side // vc.patch_size
        image = load_rgb(os.path.join(args.refdir, 'image-%dx%d.rgb' % (side, side)), side, side)
        for with_image in (False, True):
            ids = prompt_ids(1000 + 10 * ci + int(with_image), m.cfg.vocab_size,
                             grid * grid if with_image else 0, m.cfg.image_token_index)
            if args.trace:
                m.model.trace = []
            gen, logits = m.generate_greedy(ids, [image] if with_image else [], args.new_tokens)
            if args.trace:
                for tag, t in m.model.trace[:4 * m.cfg.num_hidden_layers]:
                    print(name, with_image, tag, t[0, -1, :6].tolist())
                m.model.trace = None
            gaps = []
            for l in logits:
                top = torch.topk(l, 2).values
                gaps.append(float(top[0] - top[1]))
            print('%-22s image=%-5s resized_pos=%s prompt=%d generated=%s min top1-top2 gap=%.4g gaps=%s'
                  % (name, with_image, m.vit.resized, len(ids), gen, min(gaps),
                     ['%.3g' % g for g in gaps]))
            cases.append({
                'checkpoint': name,
                'withImage': with_image,
                'promptIds': ids,
                'generatedIds': gen,
                'logits': [[float(v) for v in l.tolist()] for l in logits],
                'top1Top2Gaps': gaps,
            })
        if m.gating_entries_differ:
            print('NOTE %s: trol_gating.pt entries differ per layer; official semantics = last entry for all' % name)
        if m.non_attended_hits:
            print('NOTE %s: decode branch masked %d cached positions (key[...,0] summed to 0)'
                  % (name, m.non_attended_hits))

    doc = {
        'generator': 'tools/reference/trol_reference.py (independent re-implementation of the official TroL '
                     'InternLM2 forward, float32 CPU, torch %s)' % torch.__version__,
        'newTokens': args.new_tokens,
        'image': 'image-56x56.rgb',
        'cases': cases,
    }
    with open(out_path, 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    print('wrote', out_path)


if __name__ == '__main__':
    main()
