#!/usr/bin/python3
"""Independent plain-PyTorch re-implementation of the traversed Phi-3 language model of TroL-3.8B.

Dev-time tool, NOT run by CI. It writes the fixtures under src/test/resources/reference/phi3/,
which io.trolserve.model.Phi3ReferenceTest compares the Java layers against.

Written from docs/TROL_3_8B.md §1.2-§1.4, §4 and §5 and the semantics of the official modules
(ByungKwanLee/TroL @ 7a71dfb9, trol/arch_phi3/modeling_phi3.py and configuration_phi3.py):
  * Phi3RMSNorm                     float32 normalisation, cast back, times the weight
  * Phi3RotaryEmbedding             plain rotate-half RoPE, cos/sin in float32
  * Phi3SuScaledRotaryEmbedding,    per CALL: long factors iff max(position_ids) + 1 > original
    Phi3YarnScaledRotaryEmbedding   max positions, else short; inv_freq = 1 / (factor * theta^(2k/d));
                                    cos and sin times the mscale (su: sqrt(1 + ln s / ln orig),
                                    yarn: 0.1 ln s + 1, s = max_pos / orig, 1 when s <= 1)
  * Phi3FlashAttention2.forward     plain q|k|v split of qkv_proj, repeat_kv, causal attention with
                                    scale 1/sqrt(d) aligned bottom-right; sliding window (sw, sw)
                                    iff the call's key count exceeds sliding_window; prop_index 1
                                    (pass 2) neither reads nor updates the cache
  * Phi3MLP                         gate|up halves of gate_up_proj, down(up * silu(gate))
  * Phi3Model.forward               traversal for calls of more than one token: h1 = layer(x) with
                                    the cache, h2 = layer(h1) on its own K/V, s = 0.5 tanh(gate(h1))
                                    + 0.5 with ONE Linear shared by all layers, x = h1 (1-s) + h2 s;
                                    one plain pass per one-token call
  * Phi3ForCausalLM                 logits = lm_head(norm(x)).float()
Attention is computed eagerly with an explicit boolean mask (what flash-attn computes, not how).
No transformers dependency. Token embeddings and vision are out of scope: the model is fed random
input embeddings, (a) a 12-token prompt in one call (empty cache), then (b) 3 one-token decode calls
on the pass-1 cache, as HF generate with use_cache does.

Weights are drawn once, rounded to float16 (stored so, to keep the fixtures small) and used in
float32 everywhere; every case shares them and differs only in its llm_config.

Run with Debian's torch:  /usr/bin/python3 tools/reference/phi3_reference.py
"""
import argparse
import collections
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_grad_enabled(False)

HIDDEN, INTERMEDIATE, LAYERS, HEADS, KV_HEADS, VOCAB = 64, 96, 2, 4, 2, 96
HEAD_DIM = HIDDEN // HEADS
PROMPT, DECODE = 12, 3


def base_config():
    return {
        'model_type': 'phi3', 'vocab_size': VOCAB, 'hidden_size': HIDDEN,
        'intermediate_size': INTERMEDIATE, 'num_hidden_layers': LAYERS,
        'num_attention_heads': HEADS, 'num_key_value_heads': KV_HEADS, 'hidden_act': 'silu',
        'max_position_embeddings': 64, 'original_max_position_embeddings': 16,
        'rms_norm_eps': 1e-5, 'rope_theta': 10000.0, 'rope_scaling': None, 'sliding_window': None,
        'bos_token_id': 1, 'eos_token_id': 2, 'pad_token_id': 2,
        'tie_word_embeddings': False,
    }


def cases(gen):
    half = HEAD_DIM // 2
    short = [round(1.0 + 3.0 * torch.rand(1, generator=gen).item(), 4) for _ in range(half)]
    long = [round(1.0 + 40.0 * torch.rand(1, generator=gen).item(), 4) for _ in range(half)]
    su = dict(base_config(), rope_scaling={'type': 'su', 'short_factor': short, 'long_factor': long})
    yarn = dict(base_config(), rope_scaling={'type': 'yarn', 'short_factor': short, 'long_factor': long})
    plain = dict(base_config(), max_position_embeddings=32, original_max_position_embeddings=32,
                 rope_theta=500.0)
    window = dict(su, sliding_window=4)
    return {'su': su, 'yarn': yarn, 'plain': plain, 'window': window}


# ----------------------------------------------------------------------------------------------
# the model, as the official modules compute it
# ----------------------------------------------------------------------------------------------

def rms_norm(x, weight, eps):
    dtype = x.dtype
    x32 = x.to(torch.float32)
    x32 = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)
    return weight * x32.to(dtype)


def head_dim(cfg):
    return cfg['hidden_size'] // cfg['num_attention_heads']


def rotary(cfg, positions, dtype):
    """cos, sin of shape (T, d) for one call's positions (T,), the call-wide factor choice included."""
    d = head_dim(cfg)
    exponents = torch.arange(0, d, 2, dtype=torch.int64).float() / d
    scaling = cfg['rope_scaling']
    theta = cfg['rope_theta']
    if scaling is None:
        inv_freq = 1.0 / (theta ** exponents)
        mscale = 1.0
    else:
        orig = cfg['original_max_position_embeddings']
        call_length = int(positions.max()) + 1
        factors = scaling['long_factor'] if call_length > orig else scaling['short_factor']
        inv_freq = 1.0 / (torch.tensor(factors, dtype=torch.float32) * theta ** exponents)
        s = cfg['max_position_embeddings'] / orig
        if s <= 1.0:
            mscale = 1.0
        elif scaling['type'] == 'su':
            mscale = math.sqrt(1 + math.log(s) / math.log(orig))
        else:
            mscale = 0.1 * math.log(s) + 1.0
    freqs = (inv_freq[:, None].float() @ positions[None, :].float()).transpose(0, 1)   # (T, d/2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return (emb.cos() * mscale).to(dtype), (emb.sin() * mscale).to(dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def attend(cfg, q, k, v, q_positions, k_positions):
    """q (T, nH, d); k, v (L, nKV, d), positions absolute. Causal, bottom-right; optional window."""
    heads, d = q.shape[1], q.shape[2]
    groups = heads // k.shape[1]
    k = k.repeat_interleave(groups, dim=1)                       # repeat_kv: kv head h -> h*g .. h*g+g-1
    v = v.repeat_interleave(groups, dim=1)
    scores = torch.einsum('thd,lhd->htl', q, k) / math.sqrt(d)
    allowed = k_positions[None, :] <= q_positions[:, None]
    sw = cfg['sliding_window']
    if sw is not None and k.shape[0] > sw:                       # the official activation rule
        allowed = allowed & (k_positions[None, :] >= q_positions[:, None] - sw)
    scores = scores.masked_fill(~allowed[None], float('-inf'))
    probs = torch.softmax(scores.float(), dim=-1).to(q.dtype)
    return torch.einsum('htl,lhd->thd', probs, v).reshape(q.shape[0], heads * d)


def layer_forward(cfg, w, i, x, positions, cache):
    """One Phi3DecoderLayer call. cache: (K, V) of earlier positions, or None for pass 2.
    Returns the output and this call's (K, V)."""
    p = f'language_model.model.layers.{i}.'
    eps = cfg['rms_norm_eps']
    n = rms_norm(x, w[p + 'input_layernorm.weight'], eps)
    qkv = n @ w[p + 'self_attn.qkv_proj.weight'].T
    heads, kv_heads, d = cfg['num_attention_heads'], cfg['num_key_value_heads'], head_dim(cfg)
    q_end = heads * d
    k_end = q_end + kv_heads * d
    q = qkv[:, :q_end].view(-1, heads, d)
    k = qkv[:, q_end:k_end].view(-1, kv_heads, d)
    v = qkv[:, k_end:].view(-1, kv_heads, d)
    cos, sin = rotary(cfg, positions, x.dtype)
    q = q * cos[:, None] + rotate_half(q) * sin[:, None]
    k = k * cos[:, None] + rotate_half(k) * sin[:, None]
    if cache is not None:
        keys, values = torch.cat((cache[0], k)), torch.cat((cache[1], v))
        k_positions = torch.arange(keys.shape[0])
    else:
        keys, values, k_positions = k, v, positions
    attended = attend(cfg, q, keys, values, positions, k_positions)
    h = x + attended @ w[p + 'self_attn.o_proj.weight'].T
    n = rms_norm(h, w[p + 'post_attention_layernorm.weight'], eps)
    gate, up = (n @ w[p + 'mlp.gate_up_proj.weight'].T).chunk(2, dim=-1)
    out = h + (up * F.silu(gate)) @ w[p + 'mlp.down_proj.weight'].T
    return out, (keys, values)


def model_forward(cfg, w, gate, x, positions, cache):
    """One Phi3Model call over T rows at the given positions; cache: per layer (K, V), updated."""
    for i in range(cfg['num_hidden_layers']):
        if x.shape[0] > 1:
            h1, cache[i] = layer_forward(cfg, w, i, x, positions, cache[i])
            h2, _ = layer_forward(cfg, w, i, h1, positions, None)
            s = 0.5 * torch.tanh(h1 @ gate['weight'].T + gate['bias']) + 0.5
            x = h1 * (1 - s) + h2 * s
        else:
            x, cache[i] = layer_forward(cfg, w, i, x, positions, cache[i])
    n = rms_norm(x, w['language_model.model.norm.weight'], cfg['rms_norm_eps'])
    return (n @ w['language_model.lm_head.weight'].T).float()


def run(cfg, w, gate, prompt, decode):
    empty = torch.zeros(0, KV_HEADS, HEAD_DIM)
    cache = [(empty, empty) for _ in range(LAYERS)]
    prompt_logits = model_forward(cfg, w, gate, prompt, torch.arange(PROMPT), cache)
    decode_logits = [model_forward(cfg, w, gate, decode[j:j + 1], torch.tensor([PROMPT + j]), cache)
                     for j in range(DECODE)]
    return prompt_logits, torch.cat(decode_logits)


# ----------------------------------------------------------------------------------------------
# weights and fixtures
# ----------------------------------------------------------------------------------------------

def random_weights(gen):
    def normal(*shape, std):
        return (torch.randn(*shape, generator=gen) * std).half()

    w = collections.OrderedDict()
    for i in range(LAYERS):
        p = f'language_model.model.layers.{i}.'
        w[p + 'input_layernorm.weight'] = (1 + normal(HIDDEN, std=0.2).float()).half()
        w[p + 'self_attn.qkv_proj.weight'] = normal((HEADS + 2 * KV_HEADS) * HEAD_DIM, HIDDEN, std=0.25)
        w[p + 'self_attn.o_proj.weight'] = normal(HIDDEN, HEADS * HEAD_DIM, std=0.15)
        w[p + 'post_attention_layernorm.weight'] = (1 + normal(HIDDEN, std=0.2).float()).half()
        w[p + 'mlp.gate_up_proj.weight'] = normal(2 * INTERMEDIATE, HIDDEN, std=0.15)
        w[p + 'mlp.down_proj.weight'] = normal(HIDDEN, INTERMEDIATE, std=0.15)
    w['language_model.model.norm.weight'] = (1 + normal(HIDDEN, std=0.2).float()).half()
    w['language_model.lm_head.weight'] = normal(VOCAB, HIDDEN, std=0.05)
    return w


def gating_state_dict(gen):
    """As load_trol's file: a ModuleList of ONE Linear(H, 1) repeated L times, saved in bfloat16."""
    linear = torch.nn.Linear(HIDDEN, 1).to(torch.bfloat16)
    linear.weight.copy_(torch.randn(1, HIDDEN, generator=gen) * 0.3)
    linear.bias.fill_(0.2)
    return torch.nn.ModuleList([linear] * LAYERS).state_dict()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, '..', '..', 'src', 'test', 'resources', 'reference', 'phi3')
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=default_out)
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)

    gen = torch.Generator().manual_seed(20240619)
    weights = random_weights(gen)
    gating = gating_state_dict(gen)
    inputs = {'prompt_embeddings': torch.randn(PROMPT, HIDDEN, generator=gen),
              'decode_embeddings': torch.randn(DECODE, HIDDEN, generator=gen)}
    torch.save(weights, os.path.join(out, 'model.pt'))
    torch.save(gating, os.path.join(out, 'trol_gating.pt'))
    torch.save(inputs, os.path.join(out, 'inputs.pt'))

    w = {k: v.float() for k, v in weights.items()}
    gate = {'weight': gating['0.weight'].float(), 'bias': gating['0.bias'].float()}
    results = {}
    for name, cfg in cases(gen).items():
        assert PROMPT + DECODE <= cfg['original_max_position_embeddings'] or cfg['rope_scaling'] is None
        prompt_logits, decode_logits = run(cfg, w, gate, inputs['prompt_embeddings'], inputs['decode_embeddings'])
        case_dir = os.path.join(out, name)
        os.makedirs(case_dir, exist_ok=True)
        with open(os.path.join(case_dir, 'config.json'), 'w') as f:
            json.dump({'model_type': 'trol', 'llm_config': cfg}, f, indent=2)
            f.write('\n')
        torch.save({'prompt_logits': prompt_logits, 'decode_logits': decode_logits},
                   os.path.join(case_dir, 'expected.pt'))
        results[name] = torch.cat((prompt_logits, decode_logits))
        print(f'{name:7s} logits |max| {results[name].abs().max():.3f}')
    # the variants must differ, or a test could pass while ignoring what makes them different
    for a, b in (('su', 'plain'), ('su', 'yarn'), ('su', 'window')):
        diff = (results[a] - results[b]).abs().max().item()
        print(f'max |{a} - {b}| = {diff:.3f}')
        assert diff > 1e-2, (a, b, diff)


if __name__ == '__main__':
    main()
