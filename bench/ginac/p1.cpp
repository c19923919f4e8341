// Task P1 in GiNaC: all distinct third partials of L = 1/2 (w1...wn - 1)^2, expanded.
// Usage: p1 [n=10] [warm repetitions=5] [route=diff|expand-first] [strings=1]
//        p1 idle   (loads the program and its libraries, computes nothing: the memory baseline)
// Routes: `diff` differentiates L and expands each entry (the route of tasks.md, as eomkit's headline row);
// `expand-first` expands L once and differentiates the expanded polynomial (as eomkit's
// derivativeTensor(L, w, 3, { expanded: true })), each entry then expanded (a no-op on monomials).
// Prints one JSON object: {"seconds": first run, "warmSeconds": best of the further runs (absent with 0),
// "size": terms, "entries": ["...", ...] (i<=j<=k order; empty when strings=0)}.
#include <ginac/ginac.h>
#include <chrono>
#include <cstring>
#include <iostream>
#include <sstream>
#include <algorithm>
#include <vector>
using namespace GiNaC;

static size_t termCount(const ex &e) { return is_a<add>(e) ? e.nops() : (e.is_zero() ? 0 : 1); }

// Builds L from fresh symbols and returns the C(n+2, 3) expanded entries.
static std::vector<ex> compute(int n, bool expandFirst) {
  std::vector<symbol> w;
  for (int i = 1; i <= n; i++) w.push_back(symbol("w" + std::to_string(i)));
  ex P = 1;
  for (auto &s : w) P *= s;
  ex L = pow(P - 1, 2) / 2;
  if (expandFirst) L = L.expand();
  // each entry is the derivative of its prefix entry (as in eomkit's derivativeTensor)
  std::vector<ex> out;
  for (int i = 0; i < n; i++) {
    ex di = L.diff(w[i]);
    for (int j = i; j < n; j++) {
      ex dij = di.diff(w[j]);
      for (int k = j; k < n; k++) out.push_back(dij.diff(w[k]).expand());
    }
  }
  return out;
}

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "idle") == 0) {
    std::cout << "{\"idle\": true}" << std::endl;
    return 0;
  }
  int n = argc > 1 ? std::atoi(argv[1]) : 10;
  int reps = argc > 2 ? std::atoi(argv[2]) : 5;
  bool expandFirst = argc > 3 && std::strcmp(argv[3], "expand-first") == 0;
  bool strings = argc > 4 ? std::atoi(argv[4]) != 0 : true;
  // cold: the first computation in this process (as eomkit's headline row)
  auto t0 = std::chrono::steady_clock::now();
  std::vector<ex> out = compute(n, expandFirst);
  auto t1 = std::chrono::steady_clock::now();
  double secs = std::chrono::duration<double>(t1 - t0).count();
  // warm: the best of `reps` further computations (fresh symbols each time)
  double warm = 1e300;
  for (int r = 0; r < reps; r++) {
    auto a = std::chrono::steady_clock::now();
    std::vector<ex> again = compute(n, expandFirst);
    auto b = std::chrono::steady_clock::now();
    warm = std::min(warm, std::chrono::duration<double>(b - a).count());
  }
  size_t terms = 0;
  for (auto &e : out) terms += termCount(e);
  std::ostringstream os;
  os << "{\"seconds\": " << secs;
  if (reps > 0) os << ", \"warmSeconds\": " << warm;
  os << ", \"size\": " << terms << ", \"entries\": [";
  if (strings)
    for (size_t i = 0; i < out.size(); i++) os << (i ? ", " : "") << "\"" << out[i] << "\"";
  os << "]}";
  std::cout << os.str() << std::endl;
  return 0;
}
