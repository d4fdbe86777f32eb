#!/usr/bin/python3
"""Reference values for interpolate (nearest, nearest-exact, bilinear, bicubic;
align_corners; sizes and scale factors, recomputed or as given) from PyTorch's
F.interpolate (1.13), written to test/fixtures/torch-interpolate.json.

Run from the repository root: /usr/bin/python3 scripts/torch-interpolate-reference.py
Each case stores the input, F.interpolate's keyword arguments, the output and
the input gradient of sum(y * dy) for a given dy, in float64 (12 significant digits).
"""
import json
import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def r(t):
    return [float(f'{v:.12g}') for v in t.detach().reshape(-1).tolist()]


CASES = [
    ('bicubic up, size', (1, 2, 4, 5), dict(mode='bicubic', size=(7, 9), align_corners=False)),
    ('bicubic down, size', (2, 1, 9, 8), dict(mode='bicubic', size=(4, 3), align_corners=False)),
    ('bicubic align_corners', (1, 2, 4, 5), dict(mode='bicubic', size=(6, 11), align_corners=True)),
    ('bicubic scale 1.7 as given', (1, 1, 5, 6), dict(mode='bicubic', scale_factor=1.7, align_corners=False, recompute_scale_factor=False)),
    ('bicubic scale 2 recomputed', (1, 2, 3, 4), dict(mode='bicubic', scale_factor=2, align_corners=False, recompute_scale_factor=True)),
    ('bilinear scale 1.5 as given', (1, 2, 4, 5), dict(mode='bilinear', scale_factor=(1.5, 2.5), align_corners=False, recompute_scale_factor=False)),
    ('bilinear down, size', (1, 1, 7, 9), dict(mode='bilinear', size=(3, 4), align_corners=False)),
    ('bilinear align_corners', (1, 2, 3, 4), dict(mode='bilinear', size=(5, 7), align_corners=True)),
    ('nearest scale 1.6 as given', (1, 1, 5, 5), dict(mode='nearest', scale_factor=1.6, recompute_scale_factor=False)),
    ('nearest down, size', (1, 2, 7, 5), dict(mode='nearest', size=(3, 4))),
    ('nearest-exact up, size', (1, 1, 4, 5), dict(mode='nearest-exact', size=(7, 8))),
    ('nearest-exact down, size', (1, 2, 9, 7), dict(mode='nearest-exact', size=(4, 3))),
]

out = []
for name, shape, kw in CASES:
    x = torch.randn(shape, requires_grad=True)
    y = F.interpolate(x, **kw)
    dy = torch.randn(y.shape)
    (y * dy).sum().backward()
    args = {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}
    out.append({'name': name, 'shape': list(shape), 'kwargs': args, 'input': r(x), 'outShape': list(y.shape),
                'output': r(y), 'dy': r(dy), 'grad': r(x.grad)})

with open('test/fixtures/torch-interpolate.json', 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': out}, f, indent=1)
print(f'wrote {len(out)} cases (torch {torch.__version__})')
