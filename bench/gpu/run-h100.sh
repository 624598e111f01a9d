#!/usr/bin/env bash
# Runs on the GPU machine (see ../../shared/gpu/README.md): unpacks the carried Node, onnxruntime-node and the
# Vulkan loader, then times the ONNX adapter (WebGPU, CPU) and the PyTorch reference; results land in $OUT.
set -uo pipefail
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
mkdir -p /tmp/n && tar xJf .device/node.tar.xz -C /tmp/n && export PATH=/tmp/n:$PATH
tar xJf .device/node_modules.tar.xz
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/gpu.txt"
export PYTHONUNBUFFERED=1
python3 bench/gpu/torch_reference.py "$OUT/torch.json" 2>&1 | tee "$OUT/torch.log"
node .device/inference-h100.mjs "$OUT/onnx.json" 2>&1 | tee "$OUT/onnx.log"
