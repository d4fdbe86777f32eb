#!/usr/bin/env python3
"""Reference data from PyTorch + torchvision for Receptive's tests.

Needs torch and torchvision (Debian: apt-get install python3-torch python3-torchvision;
use /usr/bin/python3 when another python3 comes first on PATH). Deterministic: every
random thing is seeded, so rerunning it rewrites the same files.

  /usr/bin/python3 scripts/torchvision_reference.py
      writes the committed fixtures under test/fixtures/torchvision/:
        models.json          per model: state_dict keys in order (shape, dtype, param or
                             buffer), parameter count, MACs at 1x3x224x224 (forward hooks on
                             Conv2d and Linear), weight layers on the longest path (torch.fx)
        dtypes.safetensors   tensors of every dtype with known values, written by torch
        dtypes.json          the values torch holds for them (as bit patterns), and the
        int64.safetensors    float32 sources of the F16/BF16 tensors; I64 values past int32
        int64.json
  /usr/bin/python3 scripts/torchvision_reference.py --models-json [PATH]   only models.json
  /usr/bin/python3 scripts/torchvision_reference.py --dtypes [DIR]         only the dtype fixtures
  /usr/bin/python3 scripts/torchvision_reference.py --parity OUTDIR [MODEL ...]
      for each model id (default: all of MODELS below) writes OUTDIR/<id>.safetensors, the
      state_dict of the model with seeded random weights and batch-norm statistics from three
      train-mode forwards (num_batches_tracked = 3, stored I64 as torch has it), and
      OUTDIR/<id>.io.safetensors: "input" (2x3xHxW, F32, seeded), "logits" (eval mode, F32),
      "logits64" (the same weights in float64), and block outputs: ResNets "layer1".."layer4",
      AlexNet/VGG "features", GoogLeNet "inception3a", "inception4a", "inception5b".
      The metadata of the io file gives the input size and the seed.

No safetensors package is used: Debian bookworm has no python3-safetensors, so
save_safetensors() below writes the documented format itself (8-byte little-endian header
length, JSON header padded with spaces to a multiple of 8, raw little-endian data).
"""
import json
import os
import sys
import zlib

import torch
import torch.fx
import torchvision

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
FIXTURES = os.path.join(ROOT, 'test', 'fixtures', 'torchvision')

# id -> (torchvision builder, keyword arguments, input side for the parity run)
MODELS = {
    'alexnet': ('alexnet', {}, 63),
    **{f'vgg{d}{bn}': (f'vgg{d}{bn}', {}, 32) for d in (11, 13, 16, 19) for bn in ('', '_bn')},
    'googlenet': ('googlenet', {'aux_logits': False, 'init_weights': False}, 32),
    'googlenet_aux': ('googlenet', {'aux_logits': True, 'init_weights': False}, 32),
    **{f'resnet{d}': (f'resnet{d}', {}, 64) for d in (18, 34, 50, 101, 152)},
}

DTYPE_NAMES = {
    torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16',
    torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8',
    torch.uint8: 'U8', torch.bool: 'BOOL',
}


def tensor_bytes(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: its bits as int16
        t = t.view(torch.int16)
    a = t.numpy()
    return a.astype(a.dtype.newbyteorder('<'), copy=False).tobytes()


def save_safetensors(tensors, path, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        b = tensor_bytes(t)
        header[name] = {'dtype': DTYPE_NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(len(text).to_bytes(8, 'little'))
        f.write(text)
        for b in blobs:
            f.write(b)


def build(model_id):
    builder, kwargs, _ = MODELS[model_id]
    return getattr(torchvision.models, builder)(weights=None, **kwargs)


def count_macs(model, side=224):
    """Multiply-accumulates of Conv2d and Linear layers for one image, as torchvision's tables count them."""
    total = [0]

    def conv_hook(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1]
        total[0] += out.numel() * (m.in_channels // m.groups) * k

    def linear_hook(m, inp, out):
        total[0] += (out.numel() // m.out_features) * m.in_features * m.out_features

    handles = []
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, torch.nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    model.eval()  # GoogLeNet's auxiliary heads run only in training mode and are not counted
    with torch.no_grad():
        model(torch.zeros(1, 3, side, side))
    for h in handles:
        h.remove()
    return total[0]


def longest_weight_path(model):
    """Conv2d and Linear layers on the longest path through the traced graph (the decks' depth)."""
    gm = torch.fx.symbolic_trace(model)
    modules = dict(gm.named_modules())
    depth = {}
    for node in gm.graph.nodes:  # topological order
        before = max((depth[a] for a in node.all_input_nodes), default=0)
        weight = node.op == 'call_module' and isinstance(modules[node.target], (torch.nn.Conv2d, torch.nn.Linear))
        depth[node] = before + (1 if weight else 0)
    return max(depth.values())


def model_entry(model_id):
    builder, kwargs, _ = MODELS[model_id]
    torch.manual_seed(0)
    model = build(model_id)
    named = dict(model.named_parameters())
    keys = []
    for name, t in model.state_dict(keep_vars=True).items():
        keys.append([name, list(t.shape), DTYPE_NAMES[t.dtype], 'param' if name in named else 'buffer'])
    model.eval()
    return {
        'builder': builder,
        'kwargs': kwargs,
        'params': sum(p.numel() for p in model.parameters()),
        'macs224': count_macs(model),
        'weightLayersLongestPath': longest_weight_path(model),
        'keys': keys,
    }


def write_models_json(path):
    models = {}
    for model_id in MODELS:
        e = model_entry(model_id)
        models[model_id] = e
        print(f"{model_id:14s} params {e['params']:>12,d}  MACs@224 {e['macs224']:>15,d} ({e['macs224'] / 1e9:.3f} G)  "
              f"weight layers on longest path {e['weightLayersLongestPath']}", flush=True)
    # One model per block and one state_dict key per line: small diffs, still valid JSON.
    lines = ['{', f'  "generator": "scripts/torchvision_reference.py (torch {torch.__version__}, torchvision {torchvision.__version__})",', '  "models": {']
    for i, (model_id, e) in enumerate(models.items()):
        head = {k: v for k, v in e.items() if k != 'keys'}
        lines.append(f'    {json.dumps(model_id)}: {json.dumps(head)[:-1]}, "keys": [')
        lines.append(',\n'.join('      ' + json.dumps(k) for k in e['keys']))
        lines.append('    ]}' + (',' if i < len(models) - 1 else ''))
    lines += ['  }', '}']
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    json.load(open(path))  # the hand-laid-out file must still parse
    print(f'wrote {path}')


def f32_bits(t):
    return [int(v) & 0xFFFFFFFF for v in t.float().contiguous().view(torch.int32).tolist()]


def f64_bits(t):
    return ['%016x' % (int(v) & 0xFFFFFFFFFFFFFFFF) for v in t.double().contiguous().view(torch.int64).tolist()]


def half_sources(seed):
    """float32 values that exercise F16/BF16 rounding: every magnitude, subnormals, overflow, exact ties."""
    g = torch.Generator().manual_seed(seed)
    sign = 1 - 2 * (torch.rand(768, generator=g) < 0.5).float()
    spread = sign[:512] * torch.pow(2.0, torch.rand(512, generator=g) * 160 - 140)  # 2^-140 .. 2^20
    # Halfway between neighbouring F16 values (and between BF16 ones): ties that must go to even.
    # The next value up is the next bit pattern (positive finite values); the midpoint is exact in float32.
    h = (torch.pow(2.0, torch.rand(128, generator=g) * 40 - 24)).half()
    h_next = (h.view(torch.int16) + 1).view(torch.float16)
    f16_ties = sign[512:640] * (h.float() + h_next.float()) / 2
    b = (torch.pow(2.0, torch.rand(128, generator=g) * 250 - 125)).bfloat16()
    b_next = (b.view(torch.int16) + 1).view(torch.bfloat16)
    bf16_ties = sign[640:] * (b.float() + b_next.float()) / 2
    special = torch.tensor([0.0, -0.0, 1.0, 1 / 3, -1 / 3, 65504.0, 65519.99, 65520.0, 2.0 ** -24, 2.0 ** -25, 3 * 2.0 ** -26,
                            2.0 ** -14, 2.0 ** -126, 2.0 ** -133, 3.3895313892515355e38, 3.4028234663852886e38,
                            float('inf'), float('-inf'), float('nan'), 0.1, -2.5])
    return torch.cat([special, spread, f16_ties, bf16_ties]).float()


def write_dtypes(outdir):
    os.makedirs(outdir, exist_ok=True)
    src = half_sources(11)
    g = torch.Generator().manual_seed(12)
    t = {
        'f32': torch.tensor([[1.5, -2.0, 1 / 3], [float('inf'), float('nan'), -0.0]], dtype=torch.float32),
        'f64': torch.tensor([3.141592653589793, -1e-300, 2.0 ** 60, 1 / 3], dtype=torch.float64),
        'f16': src.half(),
        'bf16': src.bfloat16(),
        'f16_matrix': torch.randn(3, 4, generator=g).half(),
        'i64': torch.tensor([0, 1, -1, 2 ** 31 - 1, -2 ** 31, 123456789, -987654321], dtype=torch.int64),
        'num_batches_tracked': torch.tensor(7, dtype=torch.int64),
        'i32': torch.tensor([-2 ** 31, 2 ** 31 - 1, 5], dtype=torch.int32),
        'i16': torch.tensor([-32768, 32767, -2], dtype=torch.int16),
        'i8': torch.tensor([-128, 127, 3], dtype=torch.int8),
        'u8': torch.tensor([0, 255, 128], dtype=torch.uint8),
        'bool': torch.tensor([True, False, True]),
        'empty': torch.zeros(0, 3, dtype=torch.float16),
    }
    save_safetensors(t, os.path.join(outdir, 'dtypes.safetensors'), {'format': 'pt'})
    expected = {}
    for name, v in t.items():
        e = {'dtype': DTYPE_NAMES[v.dtype], 'shape': list(v.shape)}
        if v.dtype == torch.float64:
            e['f64Bits'] = f64_bits(v.flatten())
        elif v.is_floating_point():
            e['f32Bits'] = f32_bits(v.flatten())  # the value torch holds, widened to float32 (exact)
        else:
            e['values'] = [int(x) for x in v.flatten().tolist()]
        expected[name] = e
    # The float32 values torch rounded to make the F16 and BF16 tensors: an encoder must give the same bits.
    expected['f16']['sourceF32Bits'] = f32_bits(src)
    expected['f16']['f16Bits'] = [int(x) & 0xFFFF for x in src.half().view(torch.int16).tolist()]
    expected['bf16']['sourceF32Bits'] = f32_bits(src)
    expected['bf16']['bf16Bits'] = [int(x) & 0xFFFF for x in src.bfloat16().view(torch.int16).tolist()]
    with open(os.path.join(outdir, 'dtypes.json'), 'w') as f:
        json.dump({'generator': 'scripts/torchvision_reference.py --dtypes', 'tensors': expected}, f, separators=(',', ':'))
        f.write('\n')
    big = {'big': torch.tensor([2 ** 31, -2 ** 31 - 1, 2 ** 53 - 1, -(2 ** 53 - 1), 5], dtype=torch.int64)}
    save_safetensors(big, os.path.join(outdir, 'int64.safetensors'))
    with open(os.path.join(outdir, 'int64.json'), 'w') as f:
        json.dump({'big': {'shape': [5], 'values': big['big'].tolist()}}, f)
        f.write('\n')
    print(f'wrote {outdir}/dtypes.safetensors, dtypes.json, int64.safetensors, int64.json')


def seed_of(model_id):
    return zlib.crc32(model_id.encode()) & 0x7FFFFFFF


def block_names(model_id):
    if model_id.startswith('resnet'):
        return ['layer1', 'layer2', 'layer3', 'layer4']
    if model_id.startswith('googlenet'):
        return ['inception3a', 'inception4a', 'inception5b']
    return ['features']


def parity(outdir, model_ids):
    os.makedirs(outdir, exist_ok=True)
    for model_id in model_ids:
        side = MODELS[model_id][2]
        seed = seed_of(model_id)
        torch.manual_seed(seed)
        model = build(model_id)
        bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
        with torch.no_grad():
            for m in bns:  # affine parameters away from 1 and 0, so a swapped or ignored one shows
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.momentum = None  # running stats = the plain average of the batches below
            model.train()
            for _ in range(3):
                model(torch.randn(4, 3, side, side))
            for m in bns:
                m.momentum = 0.1
        model.eval()
        x = torch.randn(2, 3, side, side)
        outputs = {}
        hooks = [getattr(model, n).register_forward_hook(lambda m, i, o, n=n: outputs.__setitem__(n, o.detach().clone()))
                 for n in block_names(model_id)]
        with torch.no_grad():
            logits = model(x)
            for h in hooks:
                h.remove()
            logits64 = model.double()(x.double())
        sd = model.float().state_dict()
        save_safetensors(sd, os.path.join(outdir, f'{model_id}.safetensors'), {'format': 'pt'})
        io = {'input': x, 'logits': logits, 'logits64': logits64, **outputs}
        save_safetensors(io, os.path.join(outdir, f'{model_id}.io.safetensors'),
                         {'model': model_id, 'input': f'2x3x{side}x{side}', 'seed': seed})
        print(f'{model_id}: input 2x3x{side}x{side}, logits {list(logits.shape)}, blocks {list(outputs)} -> {outdir}', flush=True)


def main(argv):
    if argv[:1] == ['--parity']:
        if len(argv) < 2:
            sys.exit('usage: torchvision_reference.py --parity OUTDIR [MODEL ...]')
        unknown = [m for m in argv[2:] if m not in MODELS]
        if unknown:
            sys.exit(f'unknown model {", ".join(unknown)}; known: {", ".join(MODELS)}')
        parity(argv[1], argv[2:] or list(MODELS))
    elif argv[:1] == ['--models-json']:
        write_models_json(argv[1] if len(argv) > 1 else os.path.join(FIXTURES, 'models.json'))
    elif argv[:1] == ['--dtypes']:
        write_dtypes(argv[1] if len(argv) > 1 else FIXTURES)
    elif not argv:
        write_dtypes(FIXTURES)
        write_models_json(os.path.join(FIXTURES, 'models.json'))
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    torch.set_num_threads(1)  # the machine is shared; also keeps float sums in one order
    main(sys.argv[1:])
