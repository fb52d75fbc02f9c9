# dtype aliases and the legacy type names.
import torch

for dtype in [
    torch.float,
    torch.double,
    torch.half,
    torch.long,
    torch.int,
    torch.bool,
    torch.float32,
    torch.float64,
    torch.int64,
    torch.uint8,
    torch.int8,
    torch.short,
]:
    t = torch.ones(2, dtype=dtype)
    print(t.type(), t.dtype == dtype, t.is_floating_point())
x = torch.tensor([1.7, -2.2])
print(x.type(torch.long), x.type(torch.double).type(), x.type("torch.IntTensor"))
print(x.long().type(), x.int().dtype == torch.int32, x.double().dtype == torch.float64)
print(torch.zeros(2, dtype=torch.float64), torch.zeros(2, dtype=torch.int32), torch.zeros(0, 2))
