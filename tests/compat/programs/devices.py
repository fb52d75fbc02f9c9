# torch.device objects wherever a device string goes.
import torch

cpu = torch.device("cpu")
gpu = torch.device("cuda", 0)
print(cpu, repr(cpu), cpu.type, cpu.index)
print(gpu, repr(gpu), gpu.type, gpu.index, repr(torch.device("cuda:0")), repr(torch.device("cuda")))
print(torch.device("cuda:0") == gpu, len({torch.device("cpu"), torch.device("cpu")}))
x = torch.zeros(2, 3, device=cpu)
y = torch.ones(2, 3).to(cpu)
z = torch.arange(3, device=torch.device("cpu"))
print(x.device, y.device.type, z.device == cpu, x.is_cuda)
model = torch.nn.Linear(3, 1).to(cpu)
print(next(model.parameters()).device)
print(torch.tensor([1.0, 2.0], device=cpu).to(torch.device("cpu"), torch.float64))
