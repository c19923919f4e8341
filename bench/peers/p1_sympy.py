"""Task P1 in SymPy: all distinct third partials of L = 1/2 (w1...w10 - 1)^2, each expanded.

Prints one JSON object on stdout: {"seconds", "size" (total terms), "entries" (220 strings, i<=j<=k order;
printed only with --strings)}. `--idle`: imports only, the memory baseline.
Timed from building L to the expanded entries (import of sympy excluded, as node/tsx start-up is for eomkit).
Each entry is the derivative of its prefix entry, as in eomkit and the GiNaC program.
"""
import json
import sys
import time

import sympy as sp


def main() -> None:
    if "--idle" in sys.argv:  # imports done, nothing computed: the memory baseline of this program
        print(json.dumps({"idle": True}))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    t0 = time.perf_counter()
    w = sp.symbols(f"w1:{n + 1}")
    L = sp.Rational(1, 2) * (sp.Mul(*w) - 1) ** 2
    out = []
    for i in range(n):
        di = sp.diff(L, w[i])
        for j in range(i, n):
            dij = sp.diff(di, w[j])
            for k in range(j, n):
                out.append(sp.expand(sp.diff(dij, w[k])))
    seconds = time.perf_counter() - t0
    size = sum(0 if e == 0 else len(sp.Add.make_args(e)) for e in out)
    entries = [str(e) for e in out] if "--strings" in sys.argv else []
    print(json.dumps({"seconds": seconds, "size": size, "entries": entries}))


if __name__ == "__main__":
    main()
