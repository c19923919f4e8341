// Task P7 in GiNaC, the log-sum-exp family: counter terms f1..fK (K <= 5) of gradient descent for
//   L = sum_{d=0..2} log(1 + exp(a_d . w)),  a_dj = ((7j + 3d) mod 5) - 2  (j = 0 .. n-1),
// the loss of bench/p7.ts p7Formula('lse', n), by directional derivatives (Jacobian-vector products) of
// expression vectors, never forming a derivative tensor:
//   jvp(F, v)_i = sum_j dF_i/dw_j * v_j
//   M()        = g,  M(u_1..u_m) = grad^{m+1} L[u_1, .., u_m, .]  by the product rule
//   M(u_1..u_m) = jvp(M(u_1..u_{m-1}), u_m) - sum_{k<m} M(u_1, .., jvp(u_k, u_m), .., u_{m-1})
//   G([t_1..t_m]) = M(G(t_1), .., G(t_m)),   f_k = sum_{|t|=k} w(t) G(t)
// (the route of src/theory/eom/packed-counter-terms.ts and, for K <= 4, of bench/ginac/p2.cpp: for K = 4 it
// gives the cheaper identity grad^3 L[g, Hg] = J(Hg).Hg - H^3 g). The weights w(t) are the loss-independent
// coefficients of docs/theory/eom.md, "Counter term" (f3 = -1/3 H^2 g - 1/12 T(g,g), as in p2.cpp).
// Modes: compact (no expansion), expanded (every intermediate expanded after substitution: GiNaC's
// faster expanded route here), expandlast (compact, then each component of f_k expanded), idle (builds L and
// nothing else: the process's baseline).
// Family (optional fifth argument): lse (default) or chain, L = 1/2 (w1...wn - 1)^2 (bench/p7.ts
// p7Formula('chain', n)): the same jvp route over the chain, used for P7's GiNaC compact chain row (the expanded
// chain row is p2.cpp's).
// Usage: p7lse <n> <K> <mode> <point: w1,..,wn> [lse|chain]. Prints {"seconds", "size" (total terms of f1..fK at the top
// level)} as soon as f is built, then the same with "values": [[f_k,i at the point] x K].
#include <ginac/ginac.h>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>
using namespace GiNaC;
typedef std::vector<ex> vec;

static std::vector<symbol> w;
static bool expandEach = false;

static ex finish(const ex &e) { return expandEach ? e.expand() : e; }

static vec jvp(const vec &F, const vec &v) {
  vec out;
  for (auto &Fi : F) {
    ex s = 0;
    for (size_t j = 0; j < w.size(); j++) s += Fi.diff(w[j]) * v[j];
    out.push_back(finish(s));
  }
  return out;
}

// Directions carry an id so that M is memoised on the multiset of its arguments and jvp on (u, v).
struct Dir {
  int id;
  vec p;
};
static std::vector<Dir> dirs;
static std::map<std::pair<int, int>, int> jvpMemo;
static std::map<std::vector<int>, int> formMemo;

static int direction(vec p) {
  dirs.push_back({(int)dirs.size(), std::move(p)});
  return (int)dirs.size() - 1;
}
static int jvpDir(int u, int v) {
  auto key = std::make_pair(u, v);
  auto it = jvpMemo.find(key);
  if (it != jvpMemo.end()) return it->second;
  int r = direction(jvp(dirs[u].p, dirs[v].p));
  jvpMemo[key] = r;
  return r;
}
static int gDir;
static int form(std::vector<int> args) {
  if (args.empty()) return gDir;
  std::sort(args.begin(), args.end());
  auto it = formMemo.find(args);
  if (it != formMemo.end()) return it->second;
  int last = args.back();
  std::vector<int> rest(args.begin(), args.end() - 1);
  std::vector<std::pair<int, int>> parts = {{1, jvpDir(form(rest), last)}};
  for (size_t k = 0; k < rest.size(); k++) {
    std::vector<int> moved = rest;
    moved[k] = jvpDir(rest[k], last);
    parts.push_back({-1, form(moved)});
  }
  vec out(w.size());
  for (size_t i = 0; i < w.size(); i++) {
    ex s = 0;
    for (auto &pt : parts) s += pt.first * dirs[pt.second].p[i];
    out[i] = finish(s);
  }
  int r = direction(out);
  formMemo[args] = r;
  return r;
}

// A rooted tree as nested brackets: "[]" is the single vertex, "[[][[]]]" the root with children [] and [[]].
static int G(const std::string &t, size_t &pos) {
  pos++;  // '['
  std::vector<int> children;
  while (t[pos] == '[') children.push_back(G(t, pos));
  pos++;  // ']'
  return form(children);
}
static int G(const std::string &t) {
  size_t pos = 0;
  return G(t, pos);
}

struct Weighted {
  const char *tree;
  int num, den;
};
// f_k = sum over the rooted trees with k vertices of w(t) G(t)
static const std::vector<std::vector<Weighted>> SERIES = {
    {{"[]", -1, 1}},
    {{"[[]]", -1, 2}},
    {{"[[[]]]", -1, 3}, {"[[][]]", -1, 12}},
    {{"[[[[]]]]", -1, 4}, {"[[[][]]]", -1, 12}, {"[[][[]]]", -1, 12}},
    {{"[[[[[]]]]]", -1, 5},
     {"[[[[][]]]]", -3, 40},
     {"[[[][[]]]]", -1, 10},
     {"[[[][][]]]", -1, 180},
     {"[[[]][[]]]", -1, 60},
     {"[[][[[]]]]", -1, 20},
     {"[[][[][]]]", -1, 120},
     {"[[][][[]]]", 1, 120},
     {"[[][][][]]", 1, 720}},
};

static size_t termCount(const ex &e) { return is_a<add>(e) ? e.nops() : (e.is_zero() ? 0 : 1); }

int main(int argc, char **argv) {
  if (argc < 5) {
    std::cerr << "usage: p7lse <n> <K <= 5> <compact|expanded|expandlast|idle> <w1,..,wn> [lse|chain]" << std::endl;
    return 2;
  }
  int n = std::atoi(argv[1]);
  int K = std::atoi(argv[2]);
  std::string mode = argv[3];
  std::string family = argc > 5 ? argv[5] : "lse";
  if (family != "lse" && family != "chain") {
    std::cerr << "family must be lse or chain" << std::endl;
    return 2;
  }
  if (K < 1 || K > 5) {
    std::cerr << "K must be 1 .. 5" << std::endl;
    return 2;
  }
  std::vector<double> point;
  {
    std::stringstream ss(argv[4]);
    std::string item;
    while (std::getline(ss, item, ',')) point.push_back(std::stod(item));
  }
  for (int i = 1; i <= n; i++) w.push_back(symbol("w" + std::to_string(i)));
  ex L = 0;
  if (family == "chain") {
    ex P = 1;
    for (auto &s : w) P *= s;
    L = pow(P - 1, 2) / 2;
  } else
    for (int d = 0; d < 3; d++) {
      ex s = 0;
      for (int j = 0; j < n; j++) s += (((7 * j + 3 * d) % 5) - 2) * w[j];
      L += log(1 + exp(s));
    }
  if (mode == "idle") {
    std::cout << "{\"seconds\": 0, \"size\": 0, \"values\": []}" << std::endl;
    return 0;
  }
  expandEach = mode == "expanded";
  auto t0 = std::chrono::steady_clock::now();
  vec g;
  for (auto &s : w) g.push_back(finish(L.diff(s)));
  gDir = direction(g);
  std::vector<vec> f;
  for (int k = 1; k <= K; k++) {
    vec fk(n);
    for (int i = 0; i < n; i++) fk[i] = 0;
    for (auto &term : SERIES[k - 1]) {
      const vec &Gt = dirs[G(term.tree)].p;
      for (int i = 0; i < n; i++) fk[i] += numeric(term.num, term.den) * Gt[i];
    }
    for (int i = 0; i < n; i++) fk[i] = mode == "compact" ? fk[i] : fk[i].expand();
    f.push_back(fk);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  size_t terms = 0;
  for (auto &fk : f)
    for (auto &e : fk) terms += termCount(e);
  // the time first (a compact result can take long to evaluate at the point: the bench keeps this line if so)
  std::cout << "{\"seconds\": " << secs << ", \"size\": " << terms << "}" << std::endl;
  exmap at;
  for (int j = 0; j < n; j++) at[w[j]] = numeric(point[j]);
  std::ostringstream os;
  os.precision(17);
  os << "{\"seconds\": " << secs << ", \"size\": " << terms << ", \"values\": [";
  for (size_t k = 0; k < f.size(); k++) {
    os << (k ? ", " : "") << "[";
    for (size_t i = 0; i < f[k].size(); i++) {
      ex v = f[k][i].subs(at).evalf();
      os << (i ? ", " : "") << ex_to<numeric>(v).to_double();
    }
    os << "]";
  }
  os << "]}";
  std::cout << os.str() << std::endl;
  return 0;
}
