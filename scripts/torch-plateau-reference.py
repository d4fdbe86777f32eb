#!/usr/bin/python3
"""Learning-rate sequences of torch.optim.lr_scheduler.ReduceLROnPlateau (PyTorch 1.13)
for fixed metric sequences, written to test/fixtures/torch-plateau.json.

Run from the repository root: /usr/bin/python3 scripts/torch-plateau-reference.py
Each case: the scheduler options (in Receptive's names), the groups' initial lrs,
the metrics given to step(), and every group's lr after each step.
"""
import json
import math
import torch

# A loss that falls, stalls, falls a little (below and above the relative threshold), stalls again, and a NaN.
loss = [1.0, 0.8, 0.7, 0.7, 0.71, 0.69995, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.59999, 0.5, 0.5, 0.5, 0.5, 0.5, float('nan'), 0.5, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4]
acc = [0.5, 0.6, 0.6, 0.6, 0.65, 0.65, 0.651, 0.651, 0.651, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]

cases = [
    ('defaults but patience 2', dict(patience=2), [0.1], loss),
    ('cooldown 2, factor 0.5', dict(patience=1, factor=0.5, cooldown=2), [1.0], loss),
    ('minLr floor, two groups', dict(patience=0, factor=0.5, minLr=[0.02, 0.001]), [0.1, 0.01], loss),
    ('abs threshold 0.05', dict(patience=1, threshold=0.05, thresholdMode='abs'), [1.0], loss),
    ('max mode, rel threshold 1e-3', dict(mode='max', patience=1, factor=0.2, threshold=1e-3), [0.5, 0.05], acc),
    ('max mode abs, cooldown 1, minLr scalar', dict(mode='max', patience=0, threshold=0.01, thresholdMode='abs', cooldown=1, minLr=0.01), [0.3], acc),
    ('eps skips tiny reductions', dict(patience=0, factor=0.5, eps=0.01), [0.05], loss),
]

torch_names = {'mode': 'mode', 'factor': 'factor', 'patience': 'patience', 'threshold': 'threshold',
               'thresholdMode': 'threshold_mode', 'cooldown': 'cooldown', 'minLr': 'min_lr', 'eps': 'eps'}

out = []
for name, opts, lrs, metrics in cases:
    groups = [{'params': [torch.zeros(1, requires_grad=True)], 'lr': lr} for lr in lrs]
    opt = torch.optim.SGD(groups, lr=lrs[0])
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **{torch_names[k]: v for k, v in opts.items()})
    seq = []
    for m in metrics:
        sched.step(m)
        seq.append([g['lr'] for g in opt.param_groups])
    out.append({'name': name, 'options': opts, 'lrs': lrs,
                'metrics': [None if math.isnan(m) else m for m in metrics], 'expected': seq})

with open('test/fixtures/torch-plateau.json', 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': out}, f, indent=1)
    f.write('\n')
print(f'wrote {len(out)} cases with torch {torch.__version__}')
