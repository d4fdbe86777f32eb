#!/usr/bin/python3
"""The PyTorch side of examples/pytorch: load the Receptive ResNet-18 into
torchvision's resnet18, check its logits against Receptive's, train on in
PyTorch (the loop that DistributedDataParallel wraps, see docs/interop.md),
and write the trained weights back as safetensors for from-torch.ts.

Usage: /usr/bin/python3 examples/pytorch/continue_in_torch.py DIR   (after to-torch.ts DIR)
Uses safetensors.torch when it is installed; otherwise the small reader and
writer below (the format is an 8-byte little-endian header length, a JSON
header of dtype/shape/data_offsets, then the raw little-endian bytes).
"""
import json
import os
import struct
import sys

import torch
import torchvision

DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'I64': torch.int64, 'I32': torch.int32}
NAMES = {v: k for k, v in DTYPES.items()}

try:
    from safetensors.torch import load_file, save_file
except ImportError:
    def load_file(path):
        with open(path, 'rb') as f:
            data = f.read()
        n = struct.unpack('<Q', data[:8])[0]
        header = json.loads(data[8:8 + n])
        out = {}
        for name, h in header.items():
            if name == '__metadata__':
                continue
            a, b = h['data_offsets']
            buf = bytearray(data[8 + n + a:8 + n + b])
            out[name] = torch.frombuffer(buf, dtype=DTYPES[h['dtype']]).reshape(h['shape']).clone()
        return out

    def save_file(tensors, path):
        header, blobs, offset = {}, [], 0
        for name, t in tensors.items():
            raw = t.detach().contiguous().cpu().numpy().tobytes()
            header[name] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
            blobs.append(raw)
            offset += len(raw)
        h = json.dumps(header).encode()
        with open(path, 'wb') as f:
            f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def main(d):
    model = torchvision.models.resnet18(num_classes=10)
    missing = model.load_state_dict(load_file(os.path.join(d, 'resnet18.safetensors')), strict=True)
    print('load_state_dict:', missing)
    io = load_file(os.path.join(d, 'io.safetensors'))
    model.eval()
    with torch.no_grad():
        logits = model(io['input'])
    diff = (logits - io['logits']).abs().max().item()
    print(f'max |torch - receptive| logits: {diff:.3g}')
    if diff > 1e-4 * max(1.0, io['logits'].abs().max().item()):
        sys.exit('the logits differ')

    try:
        import onnx
        onnx.checker.check_model(onnx.load(os.path.join(d, 'resnet18.onnx')))
        print('resnet18.onnx passes onnx.checker')
    except ImportError:
        print('onnx is not installed: the ONNX file was not checked here')

    # Continue training in PyTorch (on one process here; DDP wraps exactly this model and loop).
    torch.manual_seed(0)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()
    x = torch.randn(8, 3, 64, 64)
    y = torch.randint(0, 10, (8,))
    for step in range(3):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        print(f'torch step {step + 1}: loss {loss.item():.4f}')
    model.eval()
    with torch.no_grad():
        after = model(io['input'])
    save_file({k: v for k, v in model.state_dict().items()}, os.path.join(d, 'torch_trained.safetensors'))
    save_file({'input': io['input'], 'logits': after}, os.path.join(d, 'torch_io.safetensors'))
    print('wrote torch_trained.safetensors and torch_io.safetensors')


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'pytorch-out')
