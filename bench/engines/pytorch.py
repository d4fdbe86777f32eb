#!/usr/bin/python3
# PyTorch on the CPU (Debian's python3-torch 1.13 and python3-torchvision; oneDNN) as the
# peer people would otherwise train with. Run by bench/run.mjs with /usr/bin/python3:
#   /usr/bin/python3 bench/engines/pytorch.py <threads> <lenet|resnet18train|resnet20train|vgg11train|googlenettrain|resnet224|resnet32|resnet50>
# The same models, batches and optimisers as bench/engines/receptive.ts; timing as
# bench/common.mjs (median of the timed calls after warm-up, at least `reps` calls and
# as many more as fit in 1.5 s of own compute, up to 200), taking lockstep turns
# (bench/lockstep.mjs: "LOCKSTEP wait" on stdout, one line on stdin per turn).
import json
import os
import resource
import sys
import time as clock

LOCKSTEP = os.environ.get('BENCH_LOCKSTEP') == '1'
TURN_MS = 250  # bench/lockstep.mjs


def turn():
    if not LOCKSTEP:
        return
    sys.stdout.write('\nLOCKSTEP wait\n')
    sys.stdout.flush()
    if not sys.stdin.readline():
        sys.exit(1)  # the harness went away


turn()  # no start-up (imports, model building) during another engine's turn
try:
    import torch
    import torch.nn as nn
    import torchvision
    from torch.nn.utils.fusion import fuse_conv_bn_eval
except ImportError as e:
    print(f'bench: PyTorch peer skipped: {e} (install Debian\'s python3-torch and python3-torchvision)', file=sys.stderr)
    sys.exit(3)

thr = int(sys.argv[1]) if len(sys.argv) > 1 else 1
what = sys.argv[2] if len(sys.argv) > 2 else 'lenet'
torch.set_num_threads(thr)
torch.set_num_interop_threads(1)
torch.manual_seed(1)


def timed(fn, warm=3, reps=7, min_ms=1500, max_ms=20000):
    for _ in range(warm):
        fn()
    ts = []
    own = 0.0
    turn()
    start = clock.perf_counter()
    for i in range(200):
        t = clock.perf_counter()
        fn()
        ts.append((clock.perf_counter() - t) * 1000)
        now = clock.perf_counter()
        if i + 1 >= reps and own + (now - start) * 1000 > min_ms:
            break
        if i >= 4 and own + (now - start) * 1000 > max_ms:
            break
        if LOCKSTEP and (now - start) * 1000 > TURN_MS:
            own += (now - start) * 1000
            turn()
            start = clock.perf_counter()
    ts.sort()
    return {'ms': ts[len(ts) >> 1], 'min': ts[0], 'reps': len(ts)}


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def train_step(model, opt, x, y):
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def folded(model):
    """Batch norm folded into the convolutions (as bench/common.mjs's ResNet-18 graph and ORT run it)."""
    model.eval()

    def walk(m):
        names = list(m._modules.keys())
        for a, b in zip(names, names[1:]):
            ca, cb = m._modules[a], m._modules[b]
            if isinstance(ca, nn.Conv2d) and isinstance(cb, nn.BatchNorm2d):
                m._modules[a] = fuse_conv_bn_eval(ca, cb)
                m._modules[b] = nn.Identity()
        for c in m._modules.values():
            if c is not None:
                walk(c)
    walk(model)
    return model


class ZeroPadShortcut(nn.Module):
    """Option A of He et al. 2015 as src/models/resnet-common.ts: every stride-th pixel, zero channels after."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.cin, self.cout, self.stride = cin, cout, stride

    def forward(self, x):
        x = x[:, :, ::self.stride, ::self.stride]
        return nn.functional.pad(x, (0, 0, 0, 0, 0, self.cout - self.cin))


class CifarBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = ZeroPadShortcut(cin, cout, stride) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + self.short(x))


def resnet20():
    """He et al.'s CIFAR ResNet-20 as src/models/cifar-resnet.ts (torchvision has none)."""
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    cin = 16
    for i, planes in enumerate([16, 32, 64]):
        for b in range(3):
            layers.append(CifarBlock(cin, planes, 2 if i > 0 and b == 0 else 1))
            cin = planes
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


def train_model(name):
    """The training workloads beyond ResNet-18, as bench/models.ts builds them: batch 32 at 32×32."""
    if name == 'resnet20train':
        return resnet20()
    if name == 'vgg11train':
        return nn.Sequential(torchvision.models.vgg11().features, nn.Flatten(), nn.Linear(512, 10))
    return torchvision.models.googlenet(num_classes=10, aux_logits=False, init_weights=True)


results = {}
if what in ('resnet20train', 'vgg11train', 'googlenettrain'):
    B = 32
    model = train_model(what)
    model.train()
    step = train_step(model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9), torch.randn(B, 3, 32, 32), torch.arange(B) % 10)
    t = timed(step, warm=2, reps=5)
    results[what] = {**t, 'imagesPerSec': B * 1000 / t['ms']}
elif what == 'resnet50':
    # eval mode, batch norm not folded: as the zoo model runs on Receptive (bench/models.ts)
    model = torchvision.models.resnet50(num_classes=1000)
    model.eval()
    x = torch.randn(1, 3, 224, 224)

    def infer50():
        with torch.inference_mode():
            return model(x)
    t = timed(infer50, warm=2, reps=7)
    results[what] = {**t, 'imagesPerSec': 1000 / t['ms']}
elif what == 'lenet':
    B = 64
    model = lenet()
    step = train_step(model, torch.optim.Adam(model.parameters(), lr=1e-3), torch.rand(B, 1, 28, 28), torch.arange(B) % 10)
    t = timed(step, warm=5, reps=30)
    results['lenet'] = {**t, 'imagesPerSec': B * 1000 / t['ms']}
elif what == 'resnet18train':
    B = 32
    model = torchvision.models.resnet18(num_classes=10)
    model.train()
    step = train_step(model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9), torch.randn(B, 3, 32, 32), torch.arange(B) % 10)
    t = timed(step, warm=2, reps=7)
    results['resnet18train'] = {**t, 'imagesPerSec': B * 1000 / t['ms']}
elif what.startswith('resnet'):
    size = int(what[6:])
    model = folded(torchvision.models.resnet18(num_classes=1000))
    x = torch.randn(1, 3, size, size)

    def infer():
        with torch.inference_mode():
            return model(x)
    t = timed(infer, warm=2, reps=7)
    results[what] = {**t, 'imagesPerSec': 1000 / t['ms']}
else:
    print(f'bench: unknown workload {what}', file=sys.stderr)
    sys.exit(2)

rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
results['info'] = {'torch': torch.__version__, 'torchvision': torchvision.__version__, 'threads': torch.get_num_threads()}
sys.stdout.write('RESULT ' + json.dumps({'engine': f'pytorch {thr} thr', 'rssMB': rss, 'results': results}) + '\n')
sys.stdout.flush()
