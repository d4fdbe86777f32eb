"""Convert a PyTorch state dict (.pth, e.g. torchvision's vgg19-dcbb9e9d.pth) to safetensors.

    /usr/bin/python3 scripts/pth_to_safetensors.py vgg19-dcbb9e9d.pth vgg19.safetensors

torchvision downloads the file to ~/.cache/torch/hub/checkpoints/ on
`torchvision.models.vgg19(weights='IMAGENET1K_V1')`; `receptive style --extractor vgg19
--weights vgg19.safetensors` then reads it. Needs only torch (no safetensors package).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from torchvision_reference import save_safetensors  # noqa: E402

if len(sys.argv) != 3:
    sys.exit(__doc__)
sd = torch.load(sys.argv[1], map_location='cpu')
if not isinstance(sd, dict):
    sd = sd.state_dict()
save_safetensors({k: v.float().contiguous() for k, v in sd.items() if torch.is_tensor(v)}, sys.argv[2], {'format': 'pt'})
print(f'wrote {len(sd)} tensors to {sys.argv[2]}')
