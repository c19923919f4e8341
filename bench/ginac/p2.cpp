// Task P2 in GiNaC: counter terms f1..f4 of gradient descent for L = 1/2 (w1...w10 - 1)^2,
// each component expanded, by directional derivatives (Jacobian-vector products) of expression vectors.
// The same route as bench/p2.ts and bench/peers/p2_sympy.py:
//   jvp(F, v)_i = expand(sum_j dF_i/dw_j * v_j)
//   Hg = jvp(g,g), H2g = jvp(g,Hg), H3g = jvp(g,H2g)
//   Tgg  = jvp(Hg,g) - H2g                 (d(Hg).g = T[g,g] + H H g)
//   HTgg = jvp(g,Tgg)
//   TgHg = jvp(Hg,Hg) - H3g                 (d(Hg).Hg = T[g,Hg] + H H Hg: the cheaper identity)
//   f1 = -g, f2 = -1/2 Hg, f3 = -1/12 Tgg - 1/3 H2g, f4 = -1/12 TgHg - 1/12 HTgg - 1/4 H3g
// Routes: `jvp` (above: g = expand(dL/dw_i) of the unexpanded L) and `expand-first` (L expanded once, g the
// derivatives of that polynomial, then the same Jacobian-vector products on expanded polynomials: the route
// of eomkit's packed polynomial arithmetic).
// Usage: p2 [n=10] [warm repetitions=2] [K=4] [route=jvp|expand-first] [strings=1]
//        p2 idle   (loads the program and its libraries, computes nothing: the memory baseline)
// Prints one JSON object: {"seconds" (first run), "warmSeconds" (best of the further runs; absent with 0),
// "size" (total terms of f1..fK), "f4chars", "f": [[n strings] x K] (empty lists when strings=0)}.
#include <ginac/ginac.h>
#include <chrono>
#include <cstring>
#include <iostream>
#include <sstream>
#include <algorithm>
#include <vector>
using namespace GiNaC;
typedef std::vector<ex> vec;

static std::vector<symbol> w;

static vec jvp(const vec &F, const vec &v) {
  vec out;
  for (auto &Fi : F) {
    ex s = 0;
    for (size_t j = 0; j < w.size(); j++) s += Fi.diff(w[j]) * v[j];
    out.push_back(s.expand());
  }
  return out;
}
static vec lin(std::initializer_list<std::pair<ex, const vec *>> parts) {
  vec out(w.size(), ex(0));
  for (size_t i = 0; i < w.size(); i++) {
    ex s = 0;
    for (auto &p : parts) s += p.first * (*p.second)[i];
    out[i] = s.expand();
  }
  return out;
}
static size_t termCount(const ex &e) { return is_a<add>(e) ? e.nops() : (e.is_zero() ? 0 : 1); }

// Builds L from fresh symbols and returns f1..fK (K = 3 or 4).
static std::vector<vec> compute(int n, int K, bool expandFirst) {
  w.clear();
  for (int i = 1; i <= n; i++) w.push_back(symbol("w" + std::to_string(i)));
  ex P = 1;
  for (auto &s : w) P *= s;
  ex L = pow(P - 1, 2) / 2;
  vec g;
  if (expandFirst) {
    ex Lx = L.expand(); // derivatives of monomials are monomials: g needs no further expansion
    for (auto &s : w) g.push_back(Lx.diff(s));
  } else
    for (auto &s : w) g.push_back(L.diff(s).expand());
  vec Hg = jvp(g, g), H2g = jvp(g, Hg);
  vec JHg = jvp(Hg, g);
  vec Tgg = lin({{1, &JHg}, {-1, &H2g}});
  vec f1 = lin({{-1, &g}});
  vec f2 = lin({{numeric(-1, 2), &Hg}});
  vec f3 = lin({{numeric(-1, 12), &Tgg}, {numeric(-1, 3), &H2g}});
  if (K == 3) return {f1, f2, f3};
  vec H3g = jvp(g, H2g);
  vec HTgg = jvp(g, Tgg);
  vec JHgHg = jvp(Hg, Hg);
  vec TgHg = lin({{1, &JHgHg}, {-1, &H3g}});
  vec f4 = lin({{numeric(-1, 12), &TgHg}, {numeric(-1, 12), &HTgg}, {numeric(-1, 4), &H3g}});
  return {f1, f2, f3, f4};
}

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "idle") == 0) {
    std::cout << "{\"idle\": true}" << std::endl;
    return 0;
  }
  int n = argc > 1 ? std::atoi(argv[1]) : 10;
  int reps = argc > 2 ? std::atoi(argv[2]) : 2;
  int K = argc > 3 && std::atoi(argv[3]) == 3 ? 3 : 4;
  bool expandFirst = argc > 4 && std::strcmp(argv[4], "expand-first") == 0;
  bool strings = argc > 5 ? std::atoi(argv[5]) != 0 : true;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<vec> fs = compute(n, K, expandFirst);
  auto t1 = std::chrono::steady_clock::now();
  double secs = std::chrono::duration<double>(t1 - t0).count();
  double warm = 1e300;
  for (int r = 0; r < reps; r++) {
    auto a = std::chrono::steady_clock::now();
    std::vector<vec> again = compute(n, K, expandFirst);
    auto b = std::chrono::steady_clock::now();
    warm = std::min(warm, std::chrono::duration<double>(b - a).count());
  }
  size_t terms = 0, f4chars = 0;
  std::ostringstream os;
  os << "{\"seconds\": " << secs;
  if (reps > 0) os << ", \"warmSeconds\": " << warm;
  os << ", \"f\": [";
  for (size_t k = 0; k < fs.size(); k++) {
    os << (k ? ", " : "") << "[";
    for (size_t i = 0; i < fs[k].size(); i++) {
      std::ostringstream e;
      e << fs[k][i];
      if (k == 3) f4chars += e.str().size();
      terms += termCount(fs[k][i]);
      if (strings) os << (i ? ", " : "") << "\"" << e.str() << "\"";
    }
    os << "]";
  }
  os << "], \"size\": " << terms << ", \"f4chars\": " << f4chars << "}";
  std::cout << os.str() << std::endl;
  return 0;
}
