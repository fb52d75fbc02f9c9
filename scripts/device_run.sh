#!/usr/bin/env bash
# The GPU check of tinygrad_edu in one command, for a machine with an NVIDIA GPU and CuPy.
#
#   bash scripts/device_run.sh                 # install, env, tests, demos, bench (all stages)
#   bash scripts/device_run.sh tests           # only some stages: install env tests demos bench
#   OUT=/tmp/gpu bash scripts/device_run.sh    # where results go (default: ./device_out)
#
# Stages (install and env always run first):
#   install  pip install -e . without touching the network (falls back to PYTHONPATH=.);
#            CuPy comes from the machine, or from wheels carried in .whl/ (see docs/GPU.md)
#   env      GPU model (nvidia-smi), library versions, tg.cuda.is_available()
#   tests    the whole pytest suite; the `device` fixture adds a 'cuda' case to every
#            device-parametrised test, so op table, nn, optim and data run on the GPU too
#   demos    the MNIST MLP and CNN demos with --device cuda (MNIST is read from
#            $TINYGRAD_EDU_DATA, ./shared/datasets, ../shared/datasets or ./.devdata)
#   bench    benchmarks/gpu.py: MLP over batch sizes 64..8192 and the small CNN, steps/s for
#            NumPy CPU, CuPy GPU, PyTorch CPU and PyTorch CUDA, with ratios
#
# Everything lands in $OUT as at most 8 files (the device tool returns no more):
#   summary.md  env.txt  tests.log  demo_mlp.log  demo_cnn.log  bench_mlp.md  bench_cnn.md
#   bench.log
# Each stage has its own time limit (seconds, environment variables below); the defaults add
# up to about 9 minutes, so that one 10-minute call can run everything. Split the stages
# over two calls (`tests`, then `demos bench`) to give each more room.
#   TESTS_TIMEOUT=300 DEMO_TIMEOUT=45 BENCH_MLP_TIMEOUT=100 BENCH_CNN_TIMEOUT=60
#   PYTEST_ARGS="..." (extra pytest arguments)   DEMO_ARGS="..." (extra demo arguments)
#   MNIST_MLP_DEMO=demos/x.py MNIST_CNN_DEMO=demos/y.py (which demo scripts to run)
set -u -o pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-$ROOT/device_out}
mkdir -p "$OUT"
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
export PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}

TESTS_TIMEOUT=${TESTS_TIMEOUT:-300}
DEMO_TIMEOUT=${DEMO_TIMEOUT:-45}
BENCH_MLP_TIMEOUT=${BENCH_MLP_TIMEOUT:-100}
BENCH_CNN_TIMEOUT=${BENCH_CNN_TIMEOUT:-60}

STAGES=("$@")
[ ${#STAGES[@]} -eq 0 ] && STAGES=(all)
wants() {
  local s
  for s in "${STAGES[@]}"; do
    [ "$s" = all ] || [ "$s" = "$1" ] && return 0
  done
  return 1
}

SUMMARY=$OUT/summary.md
FAILED=0
: >"$SUMMARY"
note() { echo "$*" | tee -a "$SUMMARY"; }

# run_stage NAME SECONDS LOG CMD...: run with a time limit, record the outcome in the summary
run_stage() {
  local name=$1 limit=$2 log=$3
  shift 3
  local start=$SECONDS rc
  echo "== $name (limit ${limit}s): $*" | tee -a "$log"
  timeout --kill-after=10 "$limit" "$@" >>"$log" 2>&1
  rc=$?
  local took=$((SECONDS - start))
  if [ $rc -eq 0 ]; then
    note "- $name: ok (${took}s)"
  elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    note "- $name: TIMED OUT after ${limit}s (raise its *_TIMEOUT or run the stage alone)"
    FAILED=1
  else
    note "- $name: FAILED with exit code $rc (${took}s); see $(basename "$log")"
    FAILED=1
  fi
  return $rc
}

note "# tinygrad_edu device run, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
note ""
note "stages: ${STAGES[*]}"
note ""

# ------------------------------------------------------------------------------------ install
ENV_TXT=$OUT/env.txt
: >"$ENV_TXT"
{
  echo "== install"
  if [ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target /tmp/site .whl/*.whl && export PYTHONPATH=$PYTHONPATH:/tmp/site
  fi
  "$PY" -m pip install -q --no-deps --no-build-isolation --no-index -e . \
    || echo "pip install -e . failed offline; using PYTHONPATH=$ROOT instead"
} >>"$ENV_TXT" 2>&1
note "- install: done (details in env.txt)"

# ---------------------------------------------------------------------------------------- env
{
  echo "== nvidia-smi"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 || echo "no nvidia-smi"
  echo "== python"
  "$PY" - <<'EOF'
import platform, sys
print("python", platform.python_version(), sys.executable)
for name in ("numpy", "cupy", "torch", "pytest", "hypothesis", "matplotlib"):
    try:
        mod = __import__(name)
        print(name, getattr(mod, "__version__", "?"))
    except Exception as e:  # report, never stop
        print(name, "unavailable:", type(e).__name__, e)
import tinygrad_edu as tg
print("tinygrad_edu from", tg.__file__)
print("tg.cuda.is_available()", tg.cuda.is_available())
print("tg.cuda.get_device_name()", tg.cuda.get_device_name())
print("tg.cuda.unavailable_reason()", tg.cuda.unavailable_reason())
try:
    import torch
    print("torch.cuda", torch.cuda.is_available(), torch.cuda.is_available() and torch.cuda.get_device_name())
except Exception as e:
    print("torch.cuda unavailable:", e)
EOF
} >>"$ENV_TXT" 2>&1
CUDA_OK=$("$PY" -c "import tinygrad_edu as tg; print(int(tg.cuda.is_available()))" 2>/dev/null || echo 0)
GPU_NAME=$("$PY" -c "import tinygrad_edu as tg; print(tg.cuda.get_device_name() or 'none')" 2>/dev/null || echo none)
note "- GPU seen by tinygrad_edu: $GPU_NAME"
if [ "$CUDA_OK" != 1 ]; then
  note "- WARNING: tg.cuda.is_available() is False here; the CUDA cases will be skipped:"
  note "  $("$PY" -c "import tinygrad_edu as tg; print(tg.cuda.unavailable_reason())" 2>&1)"
  FAILED=1
fi

# ------------------------------------------------------------------------------------ dataset
for d in "${TINYGRAD_EDU_DATA:-}" "$ROOT/shared/datasets" "$ROOT/../shared/datasets" "$ROOT/.devdata"; do
  if [ -n "$d" ] && [ -d "$d/mnist" ]; then
    export TINYGRAD_EDU_DATA=$d TINYGRAD_EDU_TEST_DATA=$d
    break
  fi
done
note "- MNIST files: ${TINYGRAD_EDU_DATA:-not found (the demos and dataset tests need them)}"
note ""

# -------------------------------------------------------------------------------------- tests
if wants tests; then
  XDIST=()
  if "$PY" -c "import xdist" 2>/dev/null; then
    XDIST=(-n "${PYTEST_WORKERS:-8}" --dist loadfile)
  fi
  TIMEOUT_ARGS=()
  if "$PY" -c "import pytest_timeout" 2>/dev/null; then
    TIMEOUT_ARGS=(--timeout 240)
  fi
  # shellcheck disable=SC2086
  run_stage "tests (pytest, CUDA cases included)" "$TESTS_TIMEOUT" "$OUT/tests.log" \
    "$PY" -m pytest tests -p no:cacheprovider -rs -q "${XDIST[@]}" "${TIMEOUT_ARGS[@]}" \
    ${PYTEST_ARGS:-}
  note "  $(grep -E '(passed|failed|error)' "$OUT/tests.log" | tail -1)"
  note "  cuda cases skipped: $(grep -c 'SKIPPED.*CUDA' "$OUT/tests.log" || true)"
fi

# -------------------------------------------------------------------------------------- demos
find_demo() {  # the first existing script among the arguments (globs allowed)
  local f
  for f in "$@"; do
    [ -n "$f" ] && [ -f "$f" ] && { echo "$f"; return 0; }
  done
  return 1
}
if wants demos; then
  shopt -s nullglob
  MLP=$(find_demo "${MNIST_MLP_DEMO:-}" demos/mnist_mlp.py demos/*mnist*mlp*.py demos/*mlp*mnist*.py)
  CNN=$(find_demo "${MNIST_CNN_DEMO:-}" demos/mnist_cnn.py demos/*mnist*cnn*.py demos/*cnn*mnist*.py \
    demos/*cnn*.py)
  shopt -u nullglob
  for pair in "mlp:$MLP" "cnn:$CNN"; do
    kind=${pair%%:*}
    script=${pair#*:}
    log=$OUT/demo_$kind.log
    : >"$log"
    if [ -z "$script" ]; then
      note "- MNIST $kind demo: not found in demos/ (set MNIST_${kind^^}_DEMO=path)"
      FAILED=1
      continue
    fi
    args=(--device cuda)
    help=$("$PY" "$script" --help 2>/dev/null || true)
    if [ -n "${TINYGRAD_EDU_DATA:-}" ] && grep -q -- "--data-dir" <<<"$help"; then
      args+=(--data-dir "$TINYGRAD_EDU_DATA")
    fi
    if grep -q -- "--out" <<<"$help"; then
      args+=(--out "/tmp/tinygrad_edu_demo_$kind")  # pictures stay on the machine
    fi
    # shellcheck disable=SC2086
    run_stage "MNIST $kind demo ($script ${args[*]} ${DEMO_ARGS:-})" "$DEMO_TIMEOUT" "$log" \
      "$PY" "$script" "${args[@]}" ${DEMO_ARGS:-}
    note "  last lines: $(tail -n 3 "$log" | tr '\n' ' ' | cut -c1-300)"
  done
fi

# -------------------------------------------------------------------------------------- bench
if wants bench; then
  : >"$OUT/bench.log"
  run_stage "benchmark MLP 784-256-128-10, batch 64..8192" "$BENCH_MLP_TIMEOUT" \
    "$OUT/bench.log" "$PY" benchmarks/gpu.py --model mlp --out "$OUT/bench_mlp.md" \
    --warmup 2 --min-seconds 0.5 --max-seconds 4
  run_stage "benchmark CNN, batch 64..1024" "$BENCH_CNN_TIMEOUT" "$OUT/bench.log" \
    "$PY" benchmarks/gpu.py --model cnn --out "$OUT/bench_cnn.md" --warmup 2 \
    --min-seconds 0.5 --max-seconds 3
  for f in "$OUT/bench_mlp.md" "$OUT/bench_cnn.md"; do
    [ -f "$f" ] && { note ""; cat "$f" >>"$SUMMARY"; }
  done
fi

note ""
note "overall: $([ $FAILED -eq 0 ] && echo ok || echo 'see the stages above')"
cat "$SUMMARY"
exit $FAILED
