// Task P1 in GiNaC: all distinct third partials of L = 1/2 (w1...w10 - 1)^2, expanded.
// Prints one JSON object: {"seconds": first run, "warmSeconds": best of the further runs, "size": terms,
// "entries": ["...", ...]} (entries in i<=j<=k order). Usage: p1 [n=10] [warm repetitions=5]
#include <ginac/ginac.h>
#include <chrono>
#include <iostream>
#include <sstream>
#include <algorithm>
#include <vector>
using namespace GiNaC;

static size_t termCount(const ex &e) { return is_a<add>(e) ? e.nops() : (e.is_zero() ? 0 : 1); }

// Builds L from fresh symbols and returns the 220 expanded entries.
static std::vector<ex> compute(int n) {
  std::vector<symbol> w;
  for (int i = 1; i <= n; i++) w.push_back(symbol("w" + std::to_string(i)));
  ex P = 1;
  for (auto &s : w) P *= s;
  ex L = pow(P - 1, 2) / 2;
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
  int n = argc > 1 ? std::atoi(argv[1]) : 10;
  int reps = argc > 2 ? std::atoi(argv[2]) : 5;
  // cold: the first computation in this process (as eomkit's headline row)
  auto t0 = std::chrono::steady_clock::now();
  std::vector<ex> out = compute(n);
  auto t1 = std::chrono::steady_clock::now();
  double secs = std::chrono::duration<double>(t1 - t0).count();
  // warm: the best of `reps` further computations (fresh symbols each time)
  double warm = 1e300;
  for (int r = 0; r < reps; r++) {
    auto a = std::chrono::steady_clock::now();
    std::vector<ex> again = compute(n);
    auto b = std::chrono::steady_clock::now();
    warm = std::min(warm, std::chrono::duration<double>(b - a).count());
  }
  size_t terms = 0;
  for (auto &e : out) terms += termCount(e);
  std::ostringstream os;
  os << "{\"seconds\": " << secs << ", \"warmSeconds\": " << warm << ", \"size\": " << terms << ", \"entries\": [";
  for (size_t i = 0; i < out.size(); i++) os << (i ? ", " : "") << "\"" << out[i] << "\"";
  os << "]}";
  std::cout << os.str() << std::endl;
  return 0;
}
