#!/usr/bin/python3
"""Independent plain-PyTorch reference of TroL-3.8B's WHOLE forward, from a checkpoint on disk.

Dev-time tool, NOT run by CI. It writes src/test/resources/reference/phi3-trol/: a small checkpoint in
the published TroL-3.8B layout (config.json with vision_config and llm_config, one float16
model.safetensors, a bfloat16 trol_gating.pt as the official code saves it, tokenizer.json) and
expected.json and expected.pt, which io.trolserve.model.Phi3OfficialReferenceTest compares the Java
path against: per case the prompt ids, the image (a 31-bit LCG, see internvit_reference.tile_bytes,
at its own size) and the greedy tokens in the JSON, every step's logits (float32, steps x V) under
the case's name in the torch.save file.

The forward mirrors the official demo path (ByungKwanLee/TroL @ 7a71dfb9; facts in
docs/TROL_3_8B.md), reading the checkpoint with its own safetensors parser and torch.load:
  * utils/utils.py dynamic_preprocess   §3.2-§3.4: the candidate grids in the official order, the
                                        aspect-ratio choice with its area tie rule (both as
                                        pillow_resize_fixtures.py writes them), Pillow's own
                                        bicubic resize of the ORIGINAL image, row-major 448 px crops,
                                        a thumbnail when there is more than one tile
  * build_transform                     §3.5: ToTensor, ImageNet Normalize, per tile
  * modeling_intern_vit.py + pixel_shuffle + vision_proj
                                        internvit_reference.Tower (§2)
  * TroLForCausalLM.generate            embed_tokens, image features written over the <IMG_CONTEXT>
                                        rows in tile order, one traversed call over the prompt, then
                                        greedy one-token calls on the pass-1 cache (HF generate with
                                        use_cache; no stop token, so the fixture has every step)
  * modeling_phi3.py                    phi3_reference.model_forward (§4, §5): su RoPE, sliding window,
                                        gate = ONE Linear for all layers, loaded as load_trol does
The prompt follows make_instruction's layout with the tokenizer's special ids and seeded text ids
in between (no Python tokenizer here; the Java side's template is tested on its own):
  <s> <|system|> text <|end|> <|user|> [<img> <IMG_CONTEXT> x 256*tiles </img>] text <|end|> <|assistant|>

Run with Debian's torch and Pillow:  /usr/bin/python3 tools/reference/phi3_trol_reference.py
tokenizer.json is taken from the fixture folder (it came from `init-tiny DIR --variant phi3`);
--tokenizer names another one.
"""
import argparse
import collections
import json
import math
import os
import random
import shutil
import struct

import torch
from PIL import Image
from torch import nn

import internvit_reference
import phi3_reference
import pillow_resize_fixtures
import trol_reference

torch.set_grad_enabled(False)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'src', 'test', 'resources', 'reference', 'phi3-trol')
TILE = 448
TOKENS_PER_TILE = 256
NEW_TOKENS = 8

# (name, image size or None, LCG seed, text seed); the sizes give 1, 4 and 7 tiles
CASES = [
    ('text-only', None, 0, 11),
    ('one-pixel', (1, 1), 401, 12),
    ('wide-1000x300', (1000, 300), 402, 13),
    ('landscape-500x300', (500, 300), 403, 14),
]


# ----------------------------------------------------------------------------------------------
# the fixture checkpoint
# ----------------------------------------------------------------------------------------------

def special_ids(tokenizer):
    return {t['content']: t['id'] for t in tokenizer['added_tokens']}


def config_for(tokenizer, gen):
    ids = special_ids(tokenizer)
    vocab = len(tokenizer['model']['vocab']) + sum(1 for i in ids.values() if i >= len(tokenizer['model']['vocab']))
    half = 64 // 4 // 2
    short = [round(1.0 + 2.0 * torch.rand(1, generator=gen).item(), 4) for _ in range(half)]
    long = [round(1.0 + 30.0 * torch.rand(1, generator=gen).item(), 4) for _ in range(half)]
    llm = {
        'architectures': ['Phi3ForCausalLM'], 'model_type': 'phi3', 'vocab_size': vocab,
        'hidden_size': 64, 'intermediate_size': 96, 'num_hidden_layers': 2, 'num_attention_heads': 4,
        'num_key_value_heads': 2, 'hidden_act': 'silu', 'max_position_embeddings': 131072,
        'original_max_position_embeddings': 4096, 'rms_norm_eps': 1e-5, 'rope_theta': 10000.0,
        'rope_scaling': {'type': 'su', 'short_factor': short, 'long_factor': long},
        # shorter than the 4- and 7-tile prompts, so the window is live in prefill and decode
        'sliding_window': 600,
        'bos_token_id': ids['<s>'], 'eos_token_id': ids['<|endoftext|>'], 'pad_token_id': ids['<|endoftext|>'],
        'tie_word_embeddings': False,
    }
    vision = {
        'architectures': ['InternVisionModel'], 'model_type': 'intern_vit_6b', 'hidden_size': 32,
        'intermediate_size': 64, 'num_hidden_layers': 2, 'num_attention_heads': 2, 'num_channels': 3,
        'patch_size': 14, 'image_size': TILE, 'qkv_bias': True, 'qk_normalization': False,
        'norm_type': 'layer_norm', 'layer_norm_eps': 1e-6, 'hidden_act': 'gelu', 'use_flash_attn': False,
    }
    return {'architectures': ['TroLForCausalLM'], 'model_type': 'trol', 'downsample_ratio': 0.5,
            'template': 'phi3-chat', 'vision_config': vision, 'llm_config': llm}


def random_weights(config, gen):
    """Official names; values rounded to float16 (the file's dtype), scaled to keep activations O(1)."""
    tower = internvit_reference.Tower(config)
    internvit_reference.randomise(tower, int(torch.randint(1 << 30, (1,), generator=gen)))
    w = collections.OrderedDict((k, v.half()) for k, v in tower.state_dict().items())
    c = config['llm_config']
    h, i, d = c['hidden_size'], c['intermediate_size'], c['hidden_size'] // c['num_attention_heads']

    def normal(*shape, std):
        return (torch.randn(*shape, generator=gen) * std).half()

    def norm_weight():
        return (1 + 0.2 * torch.randn(h, generator=gen)).half()

    w['language_model.model.embed_tokens.weight'] = normal(c['vocab_size'], h, std=1.0)
    for layer in range(c['num_hidden_layers']):
        p = f'language_model.model.layers.{layer}.'
        w[p + 'input_layernorm.weight'] = norm_weight()
        w[p + 'self_attn.qkv_proj.weight'] = normal((c['num_attention_heads'] + 2 * c['num_key_value_heads']) * d, h,
                                                    std=0.25)
        w[p + 'self_attn.o_proj.weight'] = normal(h, c['num_attention_heads'] * d, std=0.15)
        w[p + 'post_attention_layernorm.weight'] = norm_weight()
        w[p + 'mlp.gate_up_proj.weight'] = normal(2 * i, h, std=0.15)
        w[p + 'mlp.down_proj.weight'] = normal(h, i, std=0.15)
    w['language_model.model.norm.weight'] = norm_weight()
    w['language_model.lm_head.weight'] = normal(c['vocab_size'], h, std=0.2)
    return w


def write_safetensors(path, tensors):
    """u64 LE header length, the JSON header (dtype, shape, offsets), then the raw little-endian data."""
    names = {torch.float16: 'F16', torch.float32: 'F32', torch.bfloat16: 'BF16'}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.contiguous().view(torch.uint8).numpy().tobytes() if t.numel() else b''
        header[name] = {'dtype': names[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(',', ':')).encode('utf-8')
    raw += b' ' * (-len(raw) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)


def write_checkpoint(out, tokenizer_path, gen):
    with open(tokenizer_path) as f:
        tokenizer = json.load(f)
    config = config_for(tokenizer, gen)
    if os.path.abspath(tokenizer_path) != os.path.abspath(os.path.join(out, 'tokenizer.json')):
        shutil.copyfile(tokenizer_path, os.path.join(out, 'tokenizer.json'))
    with open(os.path.join(out, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    write_safetensors(os.path.join(out, 'model.safetensors'), random_weights(config, gen))
    llm = config['llm_config']
    linear = nn.Linear(llm['hidden_size'], 1).to(torch.bfloat16)
    linear.weight.copy_(torch.randn(1, llm['hidden_size'], generator=gen) * 0.3)
    linear.bias.fill_(0.1)
    torch.save(nn.ModuleList([linear] * llm['num_hidden_layers']).state_dict(), os.path.join(out, 'trol_gating.pt'))


# ----------------------------------------------------------------------------------------------
# the image pipeline (utils/utils.py)
# ----------------------------------------------------------------------------------------------

def tiles_of(image):
    across, down = pillow_resize_fixtures.closest_grid(image.size[0], image.size[1],
                                                       pillow_resize_fixtures.candidate_grids())
    resized = image.resize((TILE * across, TILE * down))           # Pillow's default: BICUBIC
    tiles = [resized.crop(((k % across) * TILE, (k // across) * TILE,
                           (k % across + 1) * TILE, (k // across + 1) * TILE)) for k in range(across * down)]
    if len(tiles) != 1:
        tiles.append(image.resize((TILE, TILE)))
    return tiles


def image_features(tower, width, height, seed):
    image = Image.frombytes('RGB', (width, height), internvit_reference.tile_bytes(seed, width * height * 3))
    tiles = tiles_of(image)
    pixels = internvit_reference.normalise(b''.join(t.tobytes() for t in tiles), len(tiles), TILE)
    return len(tiles), tower.features(tower.shuffled(pixels))


# ----------------------------------------------------------------------------------------------
# the forward (TroLForCausalLM.generate)
# ----------------------------------------------------------------------------------------------

class Reference:
    def __init__(self, ckpt):
        with open(os.path.join(ckpt, 'config.json')) as f:
            self.config = json.load(f)
        self.llm = self.config['llm_config']
        self.weights = {k: v.float() for k, v in trol_reference.read_weights(ckpt).items()}
        self.tower = internvit_reference.Tower(self.config).eval()
        self.tower.load_state_dict({k: v for k, v in self.weights.items()
                                    if k.startswith(('vision_model.', 'vision_proj.'))}, strict=True)
        # load_trol: initialize_trol_gating (ONE Linear repeated L times), then load_state_dict
        shared = nn.Linear(self.llm['hidden_size'], 1)
        gating = nn.ModuleList([shared] * self.llm['num_hidden_layers'])
        gating.load_state_dict({k: v.float() for k, v in torch.load(os.path.join(ckpt, 'trol_gating.pt')).items()})
        self.gate = {'weight': shared.weight.detach(), 'bias': shared.bias.detach()}
        with open(os.path.join(ckpt, 'tokenizer.json')) as f:
            self.ids = special_ids(json.load(f))

    def prompt(self, text_seed, image_tokens):
        ids = self.ids
        rnd = random.Random(text_seed)
        text = [t for t in range(3, self.llm['vocab_size']) if t not in ids.values()]
        words = lambda n: [rnd.choice(text) for _ in range(n)]
        out = [ids['<s>'], ids['<|system|>']] + words(14) + [ids['<|end|>'], ids['<|user|>']]
        if image_tokens:
            out += [ids['<img>']] + [ids['<IMG_CONTEXT>']] * image_tokens + [ids['</img>']]
        return out + words(9) + [ids['<|end|>'], ids['<|assistant|>']]

    def generate(self, prompt, features):
        embed = self.weights['language_model.model.embed_tokens.weight']
        x = embed[torch.tensor(prompt)].clone()
        context = torch.tensor(prompt) == self.ids['<IMG_CONTEXT>']
        assert int(context.sum()) == (0 if features is None else features.shape[0])
        if features is not None:
            x[context] = features
        empty = torch.zeros(0, self.llm['num_key_value_heads'], self.llm['hidden_size'] // self.llm['num_attention_heads'])
        cache = [(empty, empty) for _ in range(self.llm['num_hidden_layers'])]
        logits = phi3_reference.model_forward(self.llm, self.weights, self.gate, x, torch.arange(len(prompt)), cache)
        steps, tokens = [], []
        for step in range(NEW_TOKENS):
            last = logits[-1]
            steps.append(last)
            tokens.append(int(torch.argmax(last)))
            if step + 1 < NEW_TOKENS:
                logits = phi3_reference.model_forward(self.llm, self.weights, self.gate, embed[tokens[-1:]],
                                                      torch.tensor([len(prompt) + step]), cache)
        return tokens, steps


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=OUT)
    ap.add_argument('--tokenizer', default=None, help='a Phi-3-style tokenizer.json (default: the fixture\'s)')
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    write_checkpoint(out, args.tokenizer or os.path.join(out, 'tokenizer.json'), torch.Generator().manual_seed(38))

    ref = Reference(out)
    window = ref.llm['sliding_window']
    cases, logits = [], collections.OrderedDict()
    for name, size, image_seed, text_seed in CASES:
        tiles, features = (0, None) if size is None else image_features(ref.tower, size[0], size[1], image_seed)
        prompt = ref.prompt(text_seed, tiles * TOKENS_PER_TILE)
        tokens, steps = ref.generate(prompt, features)
        gaps = [float(v[0] - v[1]) for v in (torch.topk(s, 2).values for s in steps)]
        print(f'{name:18s} tiles={tiles} prompt={len(prompt)} window live={len(prompt) > window} tokens={tokens} '
              f'min top1-top2 gap={min(gaps):.4g}')
        assert min(gaps) > 1e-3, 'a near tie would make the token comparison fragile; change a seed'
        cases.append({'name': name, 'width': size[0] if size else 0, 'height': size[1] if size else 0,
                      'lcgSeed': image_seed, 'tiles': tiles, 'promptIds': prompt, 'generatedIds': tokens,
                      'top1Top2Gaps': gaps})
        logits[name] = torch.stack(steps).contiguous()
    doc = {'generator': 'tools/reference/phi3_trol_reference.py (independent re-implementation of the official '
                        'TroL-3.8B forward, float32 CPU, torch %s, Pillow %s)'
                        % (torch.__version__, Image.__version__ if hasattr(Image, '__version__') else '?'),
           'newTokens': NEW_TOKENS, 'cases': cases}
    with open(os.path.join(out, 'expected.json'), 'w') as f:    # one case per line: prompts are long
        body = json.dumps(doc, indent=1).split('"cases": ')[0]
        f.write(body + '"cases": [\n' + ',\n'.join(json.dumps(c, separators=(',', ':')) for c in cases) + '\n]}\n')
    torch.save(logits, os.path.join(out, 'expected.pt'))
    print('wrote', out)


if __name__ == '__main__':
    main()
