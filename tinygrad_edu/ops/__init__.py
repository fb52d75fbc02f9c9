"""The primitives: every op with its own gradient rule. Everything else is composed of these.

| primitive        | y = f(x)                                  | gradient                              | why a primitive              |
|------------------|-------------------------------------------|---------------------------------------|------------------------------|
| unary.py         |                                           |                                       |                              |
| Neg              | -x                                        | -g                                    | base arithmetic              |
| Exp, Log         | exp(x), log(x)                            | g*y, g/x                              | base functions               |
| Log1p, Expm1     | log(1+x), exp(x)-1                        | g/(1+x), g*(y+1)                      | accuracy near 0              |
| Sqrt             | sqrt(x)                                   | g/(2y)                                | reuses y                     |
| Sin, Cos, Erf    | sin, cos, erf                             | g*cos, -g*sin, g*2/sqrt(pi)*exp(-x^2) | base functions               |
| Tanh, Sigmoid    | tanh(x), 1/(1+exp(-x))                    | g*(1-y^2), g*y*(1-y)                  | stability (no overflow)      |
| Relu             | max(x, 0)                                 | g*(x>0)                               | gradient 0 at the kink       |
| Abs              | abs(x)                                    | g*sign(x)                             | gradient 0 at 0              |
| Sign, Floor, Ceil, Round | sign(x), floor(x), ceil(x), round(x) | 0                       | gradient semantics (0, as PyTorch) |
| Cast, Clone      | x as dtype, copy of x                     | g cast back, g                        | dtype / memory semantics     |
| binary.py        |                                           |                                       |                              |
| Add, Sub         | a+b, a-b                                  | (g, g), (g, -g)                       | base arithmetic              |
| Mul, Div         | a*b, a/b                                  | (g*b, g*a), (g/b, -g*a/b^2)           | base arithmetic              |
| Pow              | a^b                                       | g*b*a^(b-1), g*y*log(a)               | base arithmetic              |
| Maximum, Minimum | max(a,b), min(a,b)                        | g to the larger/smaller, split at ties| tie semantics                |
| Where            | c ? a : b                                 | g masked to a and to b                | selection                    |
| reduce.py        |                                           |                                       |                              |
| Sum              | sum of x over dims                        | g broadcast back (adjoint: BroadcastTo)| reduction                   |
| BroadcastTo      | x repeated to a shape (a view)            | g summed over the repeats (adjoint: Sum)| explicit broadcasting      |
| Amax             | max of x over dims                        | g split among ties                    | tie semantics                |
| LogSumExp        | log(sum(exp(x)))                          | g*softmax(x)                          | stability                    |
| Softmax          | exp(x)/sum(exp(x))                        | y*(g - sum(g*y))                      | stability                    |
| LogSoftmax       | x - logsumexp(x)                          | g - softmax(x)*sum(g)                 | stability                    |
| movement.py      |                                           |                                       |                              |
| Reshape, Permute | x viewed with a new shape / axis order    | g reshaped / permuted back            | views                        |
| CopySlices       | x with a region replaced by v             | g zeroed there, g's region to v       | t[i] = v, in-place on views  |
| Pad, Cat         | constant padding, concatenation           | g cropped, g split                    | movement                     |
| ToDevice         | x on another device                       | g moved back                          | devices                      |
| indexing.py      |                                           |                                       |                              |
| Getitem/IndexAdd | x[index] / zeros with g added at index    | each is the other's backward          | scatter with repeats adding  |
| Gather/ScatterAdd| x.gather(dim, idx) / its adjoint          | each is the other's backward          | scatter with repeats adding  |
| linalg.py        |                                           |                                       |                              |
| MatMul           | a @ b (with transpose flags)              | g @ b^T, a^T @ g                      | speed (BLAS)                 |
| conv.py          |                                           |                                       |                              |
| Unfold/Fold      | im2col / col2im                           | each is the other's backward          | speed (convolution as matmul)|
| WindowMax        | max over each pooling window              | g to the window's first maximum       | speed, PyTorch's tie rule    |
| fused.py         | (each checked against its composite reference in the op table)    |     |                              |
| Linear           | x @ w^T + b                               | g @ w, g^T x, sum(g)                  | speed (addmm)                |
| Normalize        | (x - mean)/sqrt(var + eps) * w + b        | the textbook BatchNorm gradient       | speed (1 op instead of ~48)  |
| CrossEntropy     | logsumexp(x_i) - x_i[t_i]                 | softmax(x) - onehot(t)                | speed (1 op instead of ~10)  |

nograd.py holds the array functions without gradients (comparisons, argmax, random draws, the
in-place updates of optimisers); they never enter a graph.
"""
