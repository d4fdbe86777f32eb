#!/usr/bin/python3
"""Reference values for layerNorm, groupNorm, instanceNorm, pixelShuffle and
pixelUnshuffle from PyTorch (1.13), written to test/fixtures/torch-norm.json.

Run from the repository root: /usr/bin/python3 scripts/torch-norm-reference.py
Each case stores its inputs, the forward output and the gradients of
sum(y * dy) for a given dy, all in float64, rounded to 12 significant digits.
"""
import json
import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def r(t):
    return [float(f'{v:.12g}') for v in t.detach().reshape(-1).tolist()]


def case(name, fn, shapes, **extra):
    ins = [torch.randn(s, requires_grad=True) for s in shapes]
    y = fn(*ins)
    dy = torch.randn(y.shape)
    (y * dy).sum().backward()
    return {
        'name': name,
        'shapes': [list(s) for s in shapes],
        'inputs': [r(t) for t in ins],
        'outShape': list(y.shape),
        'out': r(y),
        'dy': r(dy),
        'grads': [r(t.grad) for t in ins],
        **extra,
    }


cases = [
    case('layerNorm last axis, affine', lambda x, w, b: F.layer_norm(x, [5], w, b, eps=1e-5), [(2, 3, 5), (5,), (5,)], normalizedShape=[5], eps=1e-5),
    case('layerNorm two axes, affine', lambda x, w, b: F.layer_norm(x, [3, 4], w, b, eps=1e-3), [(2, 3, 4), (3, 4), (3, 4)], normalizedShape=[3, 4], eps=1e-3),
    case('layerNorm no affine', lambda x: F.layer_norm(x, [2, 3], eps=1e-5), [(4, 2, 3)], normalizedShape=[2, 3], eps=1e-5),
    case('groupNorm 2 groups, affine', lambda x, w, b: F.group_norm(x, 2, w, b, eps=1e-5), [(2, 6, 3, 2), (6,), (6,)], numGroups=2, eps=1e-5),
    case('groupNorm 1 group on [N, C]', lambda x, w, b: F.group_norm(x, 1, w, b, eps=1e-5), [(3, 4), (4,), (4,)], numGroups=1, eps=1e-5),
    case('groupNorm 3 groups no affine', lambda x: F.group_norm(x, 3, eps=1e-2), [(2, 3, 5)], numGroups=3, eps=1e-2),
    case('instanceNorm affine', lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-5), [(2, 3, 2, 3), (3,), (3,)], eps=1e-5),
    case('instanceNorm no affine', lambda x: F.instance_norm(x, eps=1e-5), [(2, 2, 4)], eps=1e-5),
    case('pixelShuffle r=2', lambda x: F.pixel_shuffle(x, 2), [(2, 8, 2, 3)], factor=2),
    case('pixelShuffle r=3 unbatched', lambda x: F.pixel_shuffle(x, 3), [(9, 2, 1)], factor=3),
    case('pixelUnshuffle r=2', lambda x: F.pixel_unshuffle(x, 2), [(1, 2, 4, 6)], factor=2),
]

with open('test/fixtures/torch-norm.json', 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
    f.write('\n')
print(f'wrote {len(cases)} cases with torch {torch.__version__}')
