"""torch.optim.LBFGS on fixed problems in float64, for test/optim/lbfgs.test.ts.

Run with /usr/bin/python3 (PyTorch 1.13):  /usr/bin/python3 scripts/lbfgs_reference.py
Writes test/fixtures/lbfgs/reference.json: the parameters and loss after each step() call.
"""
import json
import os
import torch

torch.set_default_dtype(torch.float64)


def rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


# A fixed positive-definite quadratic 0.5 xᵀAx - bᵀx (A = MᵀM + I, integer M).
M = torch.tensor([[2., -1, 0, 1], [0, 3, 1, -2], [1, 0, -1, 2], [-1, 2, 2, 0]])
A = M.T @ M + torch.eye(4)
b = torch.tensor([1., -2, 3, 0.5])


def quadratic(p):
    return 0.5 * p @ A @ p - b @ p


PROBLEMS = {
    'rosenbrock': (rosenbrock, [-1.2, 1.0]),
    'quadratic': (quadratic, [0.0, 0.0, 0.0, 0.0]),
}
CASES = [
    {'problem': 'rosenbrock', 'lr': 1.0, 'maxIter': 20, 'historySize': 10, 'lineSearch': 'strongWolfe', 'steps': 4},
    {'problem': 'rosenbrock', 'lr': 0.05, 'maxIter': 10, 'historySize': 5, 'lineSearch': None, 'steps': 3},
    {'problem': 'quadratic', 'lr': 1.0, 'maxIter': 8, 'historySize': 100, 'lineSearch': 'strongWolfe', 'steps': 2},
    {'problem': 'quadratic', 'lr': 0.5, 'maxIter': 6, 'historySize': 3, 'lineSearch': None, 'steps': 3},
]

out = []
for case in CASES:
    fn, x0 = PROBLEMS[case['problem']]
    p = torch.tensor(x0, requires_grad=True)
    opt = torch.optim.LBFGS([p], lr=case['lr'], max_iter=case['maxIter'], history_size=case['historySize'],
                            line_search_fn='strong_wolfe' if case['lineSearch'] else None)

    def closure():
        opt.zero_grad()
        loss = fn(p)
        loss.backward()
        return loss

    trace = []
    for _ in range(case['steps']):
        returned = float(opt.step(closure))
        with torch.no_grad():
            trace.append({'returned': returned, 'params': p.tolist(), 'loss': float(fn(p))})
    state = opt.state[opt._params[0]]
    out.append({**case, 'x0': x0, 'trace': trace, 'funcEvals': state['func_evals'], 'nIter': state['n_iter']})

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'lbfgs', 'reference.json')
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, 'w') as f:
    json.dump({'torch': torch.__version__, 'A': A.tolist(), 'b': b.tolist(), 'cases': out}, f, indent=1)
print('wrote', path)
