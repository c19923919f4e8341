/**
 * Line breaking of long displayed equations, in the spirit of breqn / amsmath's `multline`: an equation
 * `lhs &= rhs` whose right side is wider than a given width is broken at its top-level `+`, `−` (and `=`)
 * into rows of an `aligned` block, every continuation row starting `&\quad + …` (or `&= …` after an
 * `=`). Breaks happen only outside braces, `\left … \right` pairs and environments, so every row is
 * valid LaTeX on its own terms and the block passes KaTeX strict.
 *
 * Widths are estimated in "ems" of the rendered formula from the LaTeX text: a letter or digit counts
 * 0.55, an operator with its spaces 1.2, a command such as \eta one letter, a named function its
 * letters, a superscript or subscript 70 %, a fraction the wider of its numerator and denominator. The
 * estimate is checked against Chromium's rendering in the tests (test/cli/latex-layout.test.ts).
 */

/**
 * Default width of a row, in estimated ems: an A4 article's text width at 10pt is 345pt ≈ 34.5 em. At 32,
 * counter terms fit it both in pdflatex (no overfull line) and in KaTeX (about 25 em rendered): the tests
 * check both.
 */
export const DEFAULT_LATEX_WIDTH = 32;

/** upright function names: their letters */
const FUNCTION_NAMES = new Set(['sin', 'cos', 'tan', 'exp', 'log', 'ln', 'tanh', 'sinh', 'cosh', 'max', 'min']);
/** commands whose argument (a brace group, counted on its own) is all that shows */
const TRANSPARENT = new Set(['mathrm', 'operatorname', 'tilde', 'dot', 'ddot', 'hat', 'bar', 'mathbf', 'boldsymbol', 'top']);

/** Width of a command other than \frac, \left, \right, \begin, \end. */
function commandWidth(name: string): number {
  if (FUNCTION_NAMES.has(name)) return 0.5 * name.length + 0.2;
  if (TRANSPARENT.has(name)) return name === 'top' ? 0.5 : 0;
  if (name === ',' || name === ';' || name === ' ') return 0.2;
  if (name === 'quad') return 1;
  if (name === 'qquad') return 2;
  if (name === 'cdot' || name === 'times') return 1;
  if (name === 'sqrt') return 0.8;
  if (name === '\\') return 0;
  return 0.6;
}

/** Index of the `}` closing the group opened at `open` (tex[open] === '{'). */
function closing(tex: string, open: number): number {
  let depth = 0;
  for (let i = open; i < tex.length; i++) {
    const c = tex[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return tex.length - 1;
}

/** Estimated rendered width of a LaTeX fragment, in ems. */
export function latexWidth(tex: string): number {
  let w = 0;
  let i = 0;
  while (i < tex.length) {
    const c = tex[i]!;
    if (c === '\\') {
      const m = /^\\([A-Za-z]+|.)/.exec(tex.slice(i))!;
      const name = m[1]!;
      i += m[0].length;
      if (name === 'frac' && tex[i] === '{') {
        const a = closing(tex, i);
        const b = closing(tex, a + 1);
        w += Math.max(latexWidth(tex.slice(i + 1, a)), latexWidth(tex.slice(a + 2, b))) + 0.3;
        i = b + 1;
      } else if (name === 'left' || name === 'right') {
        // the delimiter itself
        const d = /^(\\[A-Za-z]+|\\.|.)/.exec(tex.slice(i));
        i += d ? d[0].length : 0;
        w += 0.45;
      } else if (name === 'begin' || name === 'end') {
        i = closing(tex, i) + 1;
        w += 0.8;
      } else w += commandWidth(name);
      continue;
    }
    if (c === '^' || c === '_') {
      i++;
      if (tex[i] === '{') {
        const e = closing(tex, i);
        w += 0.7 * latexWidth(tex.slice(i + 1, e));
        i = e + 1;
      } else if (tex[i] === '\\') {
        const m = /^\\([A-Za-z]+|.)/.exec(tex.slice(i))!;
        w += 0.45;
        i += m[0].length;
      } else {
        w += 0.4;
        i++;
      }
      continue;
    }
    if (c === '{' || c === '}' || c === '&') {
      i++;
      continue;
    }
    if (c === ' ') {
      i++;
      continue;
    }
    if (c === '+' || c === '-' || c === '=') w += 1.2;
    else if (c === '(' || c === ')' || c === '[' || c === ']' || c === ',') w += 0.4;
    else w += 0.55;
    i++;
  }
  return w;
}

/** A piece of a right side: the operator before it, its text, and how deep in delimiters that operator is. */
export interface Piece {
  op: '' | '+' | '-' | '=';
  body: string;
  nest: number;
}

/**
 * The top-level pieces of a right side: the first piece, then each piece with the operator before it
 * ('+', '-' or '='), splitting only outside braces, \left…\right pairs and environments.
 */
export function topLevelPieces(rhs: string, throughDelimiters = false): Piece[] {
  const out: Piece[] = [];
  let depth = 0;
  // nesting of fixed-size delimiters (\bigl … \bigr) at each split: breaks prefer the outermost
  let nest = 0;
  let start = 0;
  let op: '' | '+' | '-' | '=' = '';
  let opNest = 0;
  for (let i = 0; i < rhs.length; i++) {
    const c = rhs[i]!;
    if (c === '\\') {
      if (/^\\[bB]igl/.test(rhs.slice(i, i + 6))) nest++;
      else if (/^\\[bB]igr/.test(rhs.slice(i, i + 6))) nest--;
      if (!throughDelimiters && rhs.startsWith('\\left', i) && !/[A-Za-z]/.test(rhs[i + 5] ?? '')) depth++;
      else if (!throughDelimiters && rhs.startsWith('\\right', i) && !/[A-Za-z]/.test(rhs[i + 6] ?? '')) depth--;
      else if (rhs.startsWith('\\begin{', i)) depth++;
      else if (rhs.startsWith('\\end{', i)) depth--;
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (depth === 0 && (c === '+' || c === '-' || c === '=') && rhs[i - 1] === ' ' && rhs[i + 1] === ' ') {
      const body = rhs.slice(start, i).trim();
      if (body !== '') out.push({ op, body, nest: opNest });
      op = c;
      opNest = nest;
      start = i + 1;
    }
  }
  out.push({ op, body: rhs.slice(start).trim(), nest: opNest });
  return out;
}

/**
 * `\\left( … \\right)` pairs (and `\\left| … \\right|`, `\\left[ … \\right]`) as fixed-size
 * delimiters, `\\Bigl( … \\Bigr)` around a fraction and `\\bigl( … \\bigr)` otherwise, so that a
 * break may fall inside them (a `\\left` must close on its own row; a `\\bigl` need not).
 */
export function fixedDelimiters(tex: string): string {
  const opens: number[] = [];
  const pairs: Array<[number, number]> = [];
  const re = /\\(left|right)(?![A-Za-z])/g;
  for (let m = re.exec(tex); m; m = re.exec(tex)) {
    if (m[1] === 'left') opens.push(m.index);
    else if (opens.length) pairs.push([opens.pop()!, m.index]);
  }
  const size = new Map<number, string>();
  for (const [a, b] of pairs) {
    const big = tex.slice(a, b).includes('\\frac') ? 'Big' : 'big';
    size.set(a, `\\${big}l`);
    size.set(b, `\\${big}r`);
  }
  return tex.replace(/\\(left|right)(?![A-Za-z])/g, (whole, _w, at: number) => size.get(at) ?? whole);
}

/**
 * Break an aligned equation `lhs &= rhs` (an `&` before its first `=`) into rows of at most `width`
 * estimated ems where the right side allows: greedy, at top-level + / − / =. Returns the rows joined with
 * ` \\` and newlines, continuation rows starting `&\quad` (after + or −) or `&=`. A piece wider than the
 * width is broken inside its parentheses as well (they become \\bigl( … \\bigr), which may span rows).
 */
export function breakAlignedEquation(line: string, width = DEFAULT_LATEX_WIDTH): string {
  const at = line.indexOf(' &= ');
  if (at < 0 || latexWidth(line) <= width) return line;
  const lhs = line.slice(0, at);
  let pieces = topLevelPieces(line.slice(at + 4));
  // a term wider than the row: break inside its parentheses too, with fixed-size delimiters
  if (pieces.some((p) => latexWidth(p.body) > width)) pieces = topLevelPieces(fixedDelimiters(line.slice(at + 4)), true);
  // greedy rows; an overfull row breaks at its outermost operator in its second half (or its last one)
  const rows: string[] = [];
  const indent = latexWidth(lhs) + 1.2;
  let current: Piece[] = [];
  let first = true;
  const text = (ps: readonly Piece[], lead: boolean): string =>
    ps.map((p, i) => (i === 0 ? (lead ? (first ? `${lhs} &= ${p.body}` : p.op === '=' ? `&= ${p.body}` : `&\\quad ${p.op} ${p.body}`) : p.body) : `${p.op} ${p.body}`)).join(' ');
  const widthOf = (ps: readonly Piece[]): number => (first ? 0 : indent) + latexWidth(text(ps, true));
  const flush = (upTo: number): void => {
    rows.push(text(current.slice(0, upTo), true));
    current = current.slice(upTo);
    first = false;
  };
  for (const p of pieces) {
    if (p.op === '=' && current.length) flush(current.length);
    current.push(p);
    while (current.length > 1 && widthOf(current) > width) {
      // candidates: break before piece j (1 ≤ j < length) whose prefix fills at least half the row
      let best = current.length - 1;
      for (let j = current.length - 1; j >= 1; j--) {
        if (widthOf(current.slice(0, j)) > width) continue;
        if (widthOf(current.slice(0, j)) < width / 2) break;
        if (current[j]!.nest < current[best]!.nest || widthOf(current.slice(0, best)) > width) best = j;
      }
      flush(best);
    }
  }
  if (current.length) flush(current.length);
  return rows.join(' \\\\\n  ');
}
