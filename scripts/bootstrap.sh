# Sourced by scripts/run and scripts/test: make sure uv exists and the environment is in sync.
# Works on a fresh machine that has Python 3.11 and access to PyPI (no other downloads).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export UV_PYTHON_DOWNLOADS=never   # use the machine's Python 3.11; never fetch an interpreter
export UV_PYTHON="${UV_PYTHON:-3.11}"

if ! command -v uv >/dev/null 2>&1; then
    if [ ! -x "$ROOT/.tools/bin/uv" ]; then
        echo "[bootstrap] uv not found: installing it from PyPI into .tools/" >&2
        python3 -m venv "$ROOT/.tools"
        "$ROOT/.tools/bin/pip" install --quiet --disable-pip-version-check uv
    fi
    export PATH="$ROOT/.tools/bin:$PATH"
fi

# Bytecode: the machine may set PYTHONDONTWRITEBYTECODE, which made every process (the
# worker, uvicorn, each test subprocess) compile every module from source at start (~4 s
# of CPU each): compile the dependencies once at install, and let Python cache our own.
unset PYTHONDONTWRITEBYTECODE
uv sync --frozen --quiet --compile-bytecode
