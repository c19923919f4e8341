/**
 * The self-contained HTML report of a command (`--report DIR` on derive, validate, …): one page,
 * `DIR/index.html`, that opens offline in any browser, and the raw result `DIR/report.json` beside it.
 *
 *  - formulas are rendered here with KaTeX (`katex.renderToString`), not in the browser: the page runs no
 *    script; KaTeX's stylesheet is inlined with its fonts as data: URLs (woff2);
 *  - plots are inline SVG (vega-lite rendered in Node, src/numeric/plot.ts);
 *  - tables are plain HTML;
 *  - the page states the exact command and the eomkit version that produced it.
 *
 * A formula KaTeX cannot render becomes a `.katex-error` element (the page still renders; the count is
 * returned so that a caller or a test can refuse it). Generic: a command describes its page as sections
 * of blocks and calls `writeReport`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.ts';

export type ReportBlock =
  /** a paragraph of plain text (escaped) */
  | { kind: 'text'; text: string }
  /** a display formula (LaTeX), optionally with a label on its left */
  | { kind: 'math'; tex: string; label?: string }
  /** a table; cells are text (escaped), numbers (formatted) or null (shown as —) */
  | { kind: 'table'; columns: readonly string[]; rows: ReadonlyArray<ReadonlyArray<string | number | null | boolean>>; caption?: string }
  /** an inline SVG document (a plot) */
  | { kind: 'svg'; svg: string; caption?: string }
  /** preformatted text (code, long formulas as text) */
  | { kind: 'code'; text: string };

export interface ReportSection {
  heading: string;
  blocks: readonly ReportBlock[];
}

export interface ReportSpec {
  title: string;
  /** the exact command line that produced the report */
  command: string;
  /** one-line summary under the title */
  summary?: string;
  sections: readonly ReportSection[];
  /** the raw result, written to report.json beside the page */
  data?: unknown;
  /** eomkit version (default: the package's) */
  version?: string;
}

export interface RenderedReport {
  html: string;
  /** number of formulas rendered, and of those KaTeX could not render */
  formulas: number;
  katexErrors: number;
  plots: number;
}

export interface WrittenReport extends RenderedReport {
  /** absolute paths */
  dir: string;
  page: string;
  json?: string;
}

const require = createRequire(import.meta.url);

/** eomkit's version, from its package.json. */
export function eomkitVersion(): string {
  return (require('../../package.json') as { version: string }).version;
}

let inlinedCss: Promise<string> | undefined;

/** KaTeX's stylesheet with each font as a woff2 data: URL (the woff / ttf fallbacks dropped). */
export function katexCss(): Promise<string> {
  inlinedCss ??= (async () => {
    const cssPath = require.resolve('katex/dist/katex.min.css');
    const css = await readFile(cssPath, 'utf8');
    const fonts = new Map<string, string>();
    for (const m of css.matchAll(/url\(fonts\/([A-Za-z0-9_-]+)\.woff2\)/g)) {
      if (!fonts.has(m[1]!)) fonts.set(m[1]!, (await readFile(join(dirname(cssPath), 'fonts', `${m[1]}.woff2`))).toString('base64'));
    }
    return css.replace(/src:url\(fonts\/([A-Za-z0-9_-]+)\.woff2\) format\("woff2"\)(,url\([^)]*\) format\("[a-z]+"\))*/g, (_, name: string) => `src:url(data:font/woff2;base64,${fonts.get(name)}) format("woff2")`);
  })();
  return inlinedCss;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A number for a table: 4 significant digits in exponent form when small or large. */
export function formatCell(v: string | number | null | boolean): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return escapeHtml(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(6))) : v.toExponential(3);
}

/** An SVG document's root element, without an XML prolog, for inlining. */
function inlineSvg(svg: string): string {
  return svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '').replace(/^\s*<!DOCTYPE[^>]*>\s*/, '');
}

const PAGE_CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1b1b1b;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
.meta{color:#555;font-size:.9em}.meta code{background:#f4f4f4;padding:.1em .3em;border-radius:3px;word-break:break-all}
.formula{display:flex;gap:1em;align-items:center;overflow-x:auto;margin:.6em 0}.formula .label{min-width:6em;color:#555;font-size:.9em}
.formula .katex-display{margin:.2em 0;text-align:left}
table{border-collapse:collapse;margin:.6em 0;font-variant-numeric:tabular-nums;font-size:.9em}th,td{border:1px solid #ddd;padding:.25em .6em;text-align:right}th{background:#f6f6f6}td:first-child{text-align:left}
caption{caption-side:bottom;color:#555;font-size:.85em;padding-top:.3em}
figure{margin:.8em 0}figcaption{color:#555;font-size:.85em}.plot svg{max-width:100%;height:auto}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:.85em}
.katex-error{color:#b00}
`;

/** The page for a report (KaTeX loaded lazily: it is a large module). */
export async function renderReport(spec: ReportSpec): Promise<RenderedReport> {
  const katex = (await import('katex')).default;
  const css = await katexCss();
  let formulas = 0;
  let katexErrors = 0;
  let plots = 0;
  const math = (tex: string): string => {
    formulas++;
    const html = katex.renderToString(tex, { displayMode: true, throwOnError: false, strict: 'ignore', output: 'html', maxSize: 50, maxExpand: 10_000 });
    if (html.includes('katex-error')) katexErrors++;
    return html;
  };
  const block = (b: ReportBlock): string => {
    switch (b.kind) {
      case 'text':
        return `<p>${escapeHtml(b.text)}</p>`;
      case 'math':
        return `<div class="formula">${b.label !== undefined ? `<div class="label">${escapeHtml(b.label)}</div>` : ''}${math(b.tex)}</div>`;
      case 'table':
        return `<table>${b.caption ? `<caption>${escapeHtml(b.caption)}</caption>` : ''}<thead><tr>${b.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${b.rows
          .map((r) => `<tr>${r.map((c) => `<td>${formatCell(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`;
      case 'svg':
        plots++;
        return `<figure class="plot">${inlineSvg(b.svg)}${b.caption ? `<figcaption>${escapeHtml(b.caption)}</figcaption>` : ''}</figure>`;
      case 'code':
        return `<pre>${escapeHtml(b.text)}</pre>`;
    }
  };
  const version = spec.version ?? eomkitVersion();
  const body = spec.sections.map((s) => `<section><h2>${escapeHtml(s.heading)}</h2>\n${s.blocks.map(block).join('\n')}</section>`).join('\n');
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="eomkit ${escapeHtml(version)}">`,
    `<title>${escapeHtml(spec.title)}</title>`,
    `<style>${css}</style>`,
    `<style>${PAGE_CSS}</style>`,
    '</head><body>',
    `<h1>${escapeHtml(spec.title)}</h1>`,
    spec.summary ? `<p>${escapeHtml(spec.summary)}</p>` : '',
    `<p class="meta">Produced by eomkit ${escapeHtml(version)} with <code id="command">${escapeHtml(spec.command)}</code>${spec.data !== undefined ? ' — raw result: <a href="report.json">report.json</a>' : ''}</p>`,
    body,
    '</body></html>',
    '',
  ].join('\n');
  return { html, formulas, katexErrors, plots };
}

/** Render the page and write DIR/index.html (and DIR/report.json when there is data). */
export async function writeReport(dir: string, spec: ReportSpec): Promise<WrittenReport> {
  if (dir.trim() === '') throw new InputError('--report needs a directory name');
  const abs = resolve(dir);
  const r = await renderReport(spec);
  try {
    await mkdir(abs, { recursive: true });
    const page = join(abs, 'index.html');
    await writeFile(page, r.html);
    let json: string | undefined;
    if (spec.data !== undefined) {
      json = join(abs, 'report.json');
      await writeFile(json, `${JSON.stringify({ command: spec.command, version: spec.version ?? eomkitVersion(), result: spec.data }, null, 2)}\n`);
    }
    return { ...r, dir: abs, page, ...(json ? { json } : {}) };
  } catch (e) {
    throw new InputError(`--report: cannot write ${dir}: ${(e as Error).message}`);
  }
}

/** The command line as typed, for the report (arguments with spaces or quotes are quoted). */
export function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * The command line of a sub-command from its parsed options (commander's camelCase keys back to
 * --kebab-case flags; `true` is a bare flag): `eomkit derive '<loss>' --params w1,w2 --order 3 …`.
 */
export function commandOf(command: string, positional: readonly string[], opts: object): string {
  const argv = ['eomkit', command, ...positional];
  for (const [k, v] of Object.entries(opts)) {
    if (v === undefined || v === false) continue;
    const flag = `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    argv.push(flag);
    if (v !== true) argv.push(String(v));
  }
  return commandLine(argv);
}
