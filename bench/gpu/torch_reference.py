"""The reference ceiling for bench/gpu/inference-h100.ts: the same GPT-style architecture as
src/inference/models/gpt.ts (pre-LayerNorm, fused qkv, GELU, tied head, random weights) in PyTorch on CUDA,
timed per forward including log_softmax + top-k on the GPU and the copy of k ids and values to the host."""
import json, math, sys, time
import torch

V, C, L, H, D = 50257, 1024, 12, 12, 768
T, K = 128, 20


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = torch.nn.LayerNorm(D)
        self.qkv = torch.nn.Linear(D, 3 * D)
        self.proj = torch.nn.Linear(D, D)
        self.ln2 = torch.nn.LayerNorm(D)
        self.up = torch.nn.Linear(D, 4 * D)
        self.down = torch.nn.Linear(4 * D, D)

    def forward(self, x, mask):
        b, t, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q, k, v = (z.view(b, t, H, D // H).transpose(1, 2) for z in (q, k, v))
        att = torch.softmax((q @ k.transpose(-2, -1)) / math.sqrt(D // H) + mask[:t, :t], dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(b, t, D))
        return x + self.down(torch.nn.functional.gelu(self.up(self.ln2(x))))


class Gpt(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = torch.nn.Embedding(V, D)
        self.wpe = torch.nn.Embedding(C, D)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(L))
        self.lnf = torch.nn.LayerNorm(D)
        self.register_buffer('mask', torch.triu(torch.full((C, C), -1e4), diagonal=1))

    def forward(self, ids):
        t = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(t, device=ids.device))
        for blk in self.blocks:
            x = blk(x, self.mask.to(x.dtype))
        return self.lnf(x) @ self.wte.weight.t()


def timed(fn, min_runs=5, min_s=2.0):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    runs, start = 0, time.perf_counter()
    while runs < min_runs or time.perf_counter() - start < min_s:
        fn()
        runs += 1
        if runs >= 200:
            break
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / runs


def main():
    torch.manual_seed(1)
    results = {'device': torch.cuda.get_device_name(0), 'torch': torch.__version__}
    for dtype_name, dtype in (('fp16', torch.float16), ('fp32', torch.float32)):
        model = Gpt().cuda().to(dtype).eval()
        for b in (1, 8, 32):
            ids = torch.randint(0, V, (b, T), device='cuda')

            @torch.inference_mode()
            def topk():
                logits = model(ids)
                vals, idx = torch.log_softmax(logits.float(), dim=-1).topk(K, dim=-1)
                return vals.cpu(), idx.cpu()

            @torch.inference_mode()
            def full():
                return model(ids).float().cpu()

            for name, fn in (('topk', topk), ('full', full)):
                s = timed(fn)
                results[f'torch_{dtype_name}_{name}_b{b}_ms'] = round(s * 1000, 3)
                results[f'torch_{dtype_name}_{name}_b{b}_tokens_per_s'] = round(b * T / s, 1)
                print(f'torch {dtype_name} {name} b={b}: {s*1000:.2f} ms, {b*T/s:.0f} tok/s', flush=True)
        del model
        torch.cuda.empty_cache()
    json.dump(results, open(sys.argv[1], 'w'), indent=1)


main()
