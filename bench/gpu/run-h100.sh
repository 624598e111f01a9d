#!/usr/bin/env bash
# Runs on the GPU machine (see ../../shared/gpu/README.md), from the repository root, carrying .device and .gl:
#   .device/node.tar.xz, .device/node_modules.tar.xz (onnxruntime-node, linux-x64 only),
#   .device/inference-h100.mjs (npx esbuild bench/gpu/inference-h100.ts --bundle --platform=node --format=esm
#     --external:onnxruntime-node --outfile=.device/inference-h100.mjs),
#   .gl/*.deb (libvulkan1 and the glvnd libraries the NVIDIA Vulkan ICD needs: libglvnd0 libglx0 libegl1 libgl1 ...).
# Writes $OUT/inference-h100.json: the ONNX adapter (WebGPU, CPU) and the PyTorch reference, in one run.
set -uo pipefail
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
mkdir -p /tmp/n && tar xJf .device/node.tar.xz -C /tmp/n && export PATH=/tmp/n:$PATH
tar xJf .device/node_modules.tar.xz
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$OUT/gpu.txt"
export PYTHONUNBUFFERED=1
python3 bench/gpu/torch_reference.py "$OUT/torch.json" 2>&1 | tee "$OUT/torch.log"
node .device/inference-h100.mjs "$OUT/onnx.json" 2>&1 | grep -v '^ *at \|Warning' | tee "$OUT/onnx.log"
python3 bench/gpu/merge.py "$OUT/onnx.json" "$OUT/torch.json" "$OUT/gpu.txt" "$OUT/inference-h100.json"
