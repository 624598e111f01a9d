"""Merges the ONNX and PyTorch figures of one device run into inference-h100.json, with the headline keys."""
import json, sys

onnx, torch, gpu, out = sys.argv[1:5]
o = json.load(open(onnx))
t = json.load(open(torch))
r = {'device': open(gpu).read().strip(), 'batch_tokens': 128, 'k': 20, 'model': 'GPT-2-small shape (12 x 768, vocab 50257), fp32 ONNX, random weights'}
r['webgpu_topk_tokens_per_s'] = o.get('webgpu_topk_b32_tokens_per_s')
r['cpu_topk_tokens_per_s'] = o.get('cpu_topk_b32_tokens_per_s')
r['torch_fp16_tokens_per_s'] = t.get('torch_fp16_topk_b32_tokens_per_s')
if r['webgpu_topk_tokens_per_s'] and r['cpu_topk_tokens_per_s']:
    r['ratio_webgpu_vs_cpu_topk_b32'] = round(r['webgpu_topk_tokens_per_s'] / r['cpu_topk_tokens_per_s'], 2)
    r['ratio_webgpu_topk_vs_full_b32'] = round(o['webgpu_topk_b32_tokens_per_s'] / o['webgpu_full_b32_tokens_per_s'], 2)
    r['ratio_webgpu_vs_torch_fp16_b32'] = round(r['webgpu_topk_tokens_per_s'] / r['torch_fp16_tokens_per_s'], 3)
r['onnx'] = o
r['torch'] = t
json.dump(r, open(out, 'w'), indent=1)
print(json.dumps({k: v for k, v in r.items() if k not in ('onnx', 'torch')}, indent=1))
