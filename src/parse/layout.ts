/**
 * Positional text of a page (from an OFD page layer or a PDF text layer) grouped into lines and segments, the
 * ground the label-anchored field extraction (text-fields.ts) stands on. Coordinates are page units with the origin
 * top-left and y growing downwards; a glyph's y is its baseline. Runs are split into single glyphs first, so files
 * that draw every character as its own run and files that draw whole words look the same here; wide letter-spacing
 * is learnt per line (the usual pitch over glyph width), so it does not split words.
 */

export interface Glyph {
  readonly ch: string;
  readonly x: number;
  /** Baseline, y downwards. */
  readonly y: number;
  /** Advance width as the file states it (0 when unknown). */
  readonly w: number;
  /** Font size (em height). */
  readonly h: number;
  /** Id of the run (text item / TextCode) the glyph was drawn in. */
  readonly run?: number;
  /** OCR only: the recogniser's score of this character, 0..1. */
  readonly score?: number;
}

/** A run of glyphs without a wide gap inside. */
export interface Segment {
  readonly text: string;
  readonly glyphs: readonly Glyph[];
  readonly x0: number;
  readonly x1: number;
  readonly y: number;
  readonly h: number;
}

export interface TextLine {
  readonly y: number;
  readonly h: number;
  readonly glyphs: readonly Glyph[];
  readonly segments: readonly Segment[];
  /** Every glyph without whitespace, for label search. */
  readonly compact: string;
  /** `compact[i]` is drawn by `compactGlyphs[i]`. */
  readonly compactGlyphs: readonly Glyph[];
}

export interface PageText {
  readonly width: number;
  readonly height: number;
  readonly lines: readonly TextLine[];
}

/** Splits a run of `text` starting at x with total advance `width` into glyphs of equal advance. */
export function splitRun(text: string, x: number, y: number, width: number, h: number, run?: number): Glyph[] {
  const chars = [...text];
  if (chars.length === 0) return [];
  const step = width > 0 ? width / chars.length : h;
  return chars.map((ch, i) => ({ ch, x: x + i * step, y, w: step, h, ...(run !== undefined ? { run } : {}) }));
}

/** Rotates glyphs so that the dominant writing direction is left-to-right. `angle` in quarter turns of each glyph. */
export function normaliseRotation(glyphs: Array<Glyph & { quarter: number }>, width: number, height: number) {
  const counts = [0, 0, 0, 0];
  for (const g of glyphs) if (g.ch.trim()) counts[g.quarter] = (counts[g.quarter] ?? 0) + 1;
  const dominant = counts.indexOf(Math.max(...counts));
  const kept = glyphs.filter((g) => g.quarter === dominant);
  if (dominant === 0) return { glyphs: kept as Glyph[], width, height };
  const rot = (g: Glyph): Glyph => {
    // Undo the rotation: quarter 1 = text running downwards (rotated 90° clockwise in y-down space).
    if (dominant === 1) return { ...g, x: g.y, y: width - g.x };
    if (dominant === 2) return { ...g, x: width - g.x, y: height - g.y };
    return { ...g, x: height - g.y, y: g.x };
  };
  const swapped = dominant % 2 === 1;
  return { glyphs: kept.map(rot), width: swapped ? height : width, height: swapped ? width : height };
}

/** Groups glyphs into lines (by baseline) and lines into segments (by gaps). */
export function buildPage(glyphs: readonly Glyph[], width: number, height: number): PageText {
  const visible = glyphs.filter((g) => g.ch.trim() !== '' && Number.isFinite(g.x) && Number.isFinite(g.y));
  const sorted = [...visible].sort((a, b) => a.y - b.y || a.x - b.x);
  const groups: Glyph[][] = [];
  const groupY: number[] = [];
  const groupH: number[] = [];
  for (const g of sorted) {
    // Compare against the recent lines only (sorted by y, so older ones are above). The tolerance leans on the
    // larger size, so a value set in a smaller font (a narrow cell) beside its row still joins it.
    let placed = false;
    for (let k = groups.length - 1; k >= Math.max(0, groups.length - 4); k--) {
      const small = Math.min(g.h, groupH[k]!);
      const tol = 0.5 * Math.max(small, 0.75 * Math.max(g.h, groupH[k]!));
      if (Math.abs(g.y - groupY[k]!) <= tol) {
        groups[k]!.push(g);
        placed = true;
        break;
      }
    }
    if (!placed) {
      groups.push([g]);
      groupY.push(g.y);
      groupH.push(g.h);
    }
  }
  const lines = groups.map((gs) => makeLine(gs.sort((a, b) => a.x - b.x)));
  return { width, height, lines: lines.sort((a, b) => a.y - b.y) };
}

function makeLine(glyphs: Glyph[]): TextLine {
  const hs = glyphs.map((g) => g.h).sort((a, b) => a - b);
  const h = hs[Math.floor(hs.length / 2)] ?? 1;
  const y = glyphs.reduce((s, g) => s + g.y, 0) / glyphs.length;
  // Learn the line's letter-spacing: median pitch / stated width over neighbouring glyphs.
  const ratios: number[] = [];
  for (let i = 0; i + 1 < glyphs.length; i++) {
    const a = glyphs[i]!;
    const pitch = glyphs[i + 1]!.x - a.x;
    if (a.w > 0 && pitch > 0) ratios.push(pitch / a.w);
  }
  ratios.sort((a, b) => a - b);
  const k = Math.min(8, Math.max(1, ratios[Math.floor(ratios.length / 2)] ?? 1));
  const segments: Segment[] = [];
  let cur: Glyph[] = [];
  let text = '';
  const flush = () => {
    if (cur.length === 0) return;
    const last = cur[cur.length - 1]!;
    segments.push({
      text: text.trim(),
      glyphs: cur,
      x0: cur[0]!.x,
      x1: last.x + (last.w || last.h * 0.5),
      y,
      h,
    });
    cur = [];
    text = '';
  };
  for (let i = 0; i < glyphs.length; i++) {
    const g = glyphs[i]!;
    if (cur.length > 0) {
      const prev = cur[cur.length - 1]!;
      const adv = Math.max((prev.w || prev.h * 0.5) * k, 0.2 * h);
      const pitch = g.x - prev.x;
      const newRun = g.run !== undefined && g.run !== prev.run;
      if (pitch > adv * 1.8 + 0.4 * h || (newRun && pitch > adv * 1.2 + 0.1 * h)) flush();
      else if (pitch > adv * 1.3 + 0.15 * h) text += ' ';
    }
    cur.push(g);
    text += g.ch;
  }
  flush();
  const compactGlyphs = glyphs.filter((g) => !/\s/.test(g.ch));
  return { y, h, glyphs, segments, compact: compactGlyphs.map((g) => g.ch).join(''), compactGlyphs };
}

/** The whole page as text, one line per TextLine, segments separated by two spaces (for logs and debugging). */
export function pageToString(page: PageText): string {
  return page.lines.map((l) => l.segments.map((s) => s.text).join('  ')).join('\n');
}
