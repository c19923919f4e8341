"""Task P7 in SymPy's sparse polynomial ring (sympy.polys.rings over QQ): counter terms f1..fK, K = 3 or 4,
of the chain L = 1/2 (w1...wn - 1)^2, expanded, by the jvp route of bench/peers/p2_sympy_ring.py (its
counter_terms). Usage: p7_sympy_ring.py n K. Prints {"seconds", "size"} (size: total terms of f1..fK).
"""
import json
import sys

from p2_sympy_ring import counter_terms


def main() -> None:
    n = int(sys.argv[1])
    K = int(sys.argv[2])
    seconds, fs = counter_terms(n, K)
    size = sum(len(e.terms()) if e else 0 for f in fs for e in f)
    print(json.dumps({"seconds": seconds, "size": size}))


if __name__ == "__main__":
    main()
