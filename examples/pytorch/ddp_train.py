#!/usr/bin/python3
"""Continue training a Receptive model with PyTorch DistributedDataParallel.

One process per GPU (or per CPU worker with the gloo backend), started by
torchrun (python3 -m torch.distributed.run --nproc_per_node=<gpus> ... DIR) or by
hand with the env:// variables, as run on this machine (Debian's torch.distributed.run
fails there inside its elastic agent):
  MASTER_ADDR=127.0.0.1 MASTER_PORT=29517 WORLD_SIZE=2 RANK=1 LOCAL_RANK=1 python3 ddp_train.py DIR &
  MASTER_ADDR=127.0.0.1 MASTER_PORT=29517 WORLD_SIZE=2 RANK=0 LOCAL_RANK=0 python3 ddp_train.py DIR
With GPUs the script picks nccl and cuda:<local rank>.
Rank 0 writes DIR/ddp_trained.safetensors, which from-torch.ts style code loads back.
"""
import os
import sys

import torch
import torch.distributed as dist
import torchvision
from torch.nn.parallel import DistributedDataParallel as DDP

sys.path.insert(0, os.path.dirname(__file__))
from continue_in_torch import load_file, save_file  # noqa: E402


def main(d):
    cuda = torch.cuda.is_available()
    dist.init_process_group('nccl' if cuda else 'gloo')
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ.get('LOCAL_RANK', 0))
    device = torch.device(f'cuda:{local}' if cuda else 'cpu')
    model = torchvision.models.resnet18(num_classes=10)
    model.load_state_dict(load_file(os.path.join(d, 'resnet18.safetensors')))
    model = DDP(model.to(device), device_ids=[local] if cuda else None)
    opt = torch.optim.SGD(model.parameters(), lr=0.01 * world, momentum=0.9)
    # Each rank its own shard of the data (a DistributedSampler over a real dataset does this).
    g = torch.Generator().manual_seed(rank)
    x = torch.randn(8, 3, 64, 64, generator=g).to(device)
    y = torch.randint(0, 10, (8,), generator=g).to(device)
    for step in range(3):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()  # DDP all-reduces the gradients here
        opt.step()
        print(f'rank {rank}/{world} step {step + 1}: loss {loss.item():.4f}', flush=True)
    if rank == 0:
        save_file({k: v.cpu() for k, v in model.module.state_dict().items()}, os.path.join(d, 'ddp_trained.safetensors'))
        print('rank 0 wrote ddp_trained.safetensors')
    dist.destroy_process_group()


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'pytorch-out')
