# A map-style Dataset with a per-sample __getitem__, read by worker processes.
import torch
from torch.utils.data import BatchSampler, DataLoader, Dataset, SequentialSampler, get_worker_info


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        x = torch.tensor([float(i), float(i) ** 2])
        return x, i % 3


def seed_worker(worker_id):
    assert get_worker_info().id == worker_id


ds = Squares(10)
loader = DataLoader(
    ds,
    batch_size=4,
    shuffle=False,
    num_workers=2,
    pin_memory=True,
    worker_init_fn=seed_worker,
    persistent_workers=True,
    prefetch_factor=2,
)
print("batches per epoch", len(loader))
for epoch in range(2):
    for xb, yb in loader:
        print(epoch, list(xb.shape), xb.sum().item(), yb.tolist())

sampler = BatchSampler(SequentialSampler(ds), batch_size=3, drop_last=True)
print([batch for batch in sampler])
for xb, yb in DataLoader(ds, batch_sampler=sampler, num_workers=2):
    print("batch_sampler", xb[:, 0].tolist(), yb.tolist())
print("main process worker info:", get_worker_info())
try:
    DataLoader(ds, batch_sampler=sampler, shuffle=True)
except ValueError as e:
    print("ValueError:", "mutually exclusive" in str(e))
