/**
 * The one font every document embeds: Noto Sans SC Regular (TrueType outlines, OFL-1.1) from the npm package
 * `@expo-google-fonts/noto-sans-sc`, read from node_modules at run time (never committed, never a system font).
 * Parsed once per process/worker thread and cached (tech-notes §1: TTF, not CFF, for size and speed).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { parseTtf, type TtfFont } from './ttf-font.js';

/** Font file inside the npm package. */
export const DOCUMENT_FONT_MODULE = '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf';
/** PostScript-style name written into PDF and OFD font resources. */
export const DOCUMENT_FONT_NAME = 'NotoSansSC-Regular';

let cached: TtfFont | undefined;

/** The parsed document font (first call reads ~10 MB and builds the cmap: ~50 ms; later calls are free). */
export function getDocumentFont(): TtfFont {
  cached ??= parseTtf(fs.readFileSync(createRequire(import.meta.url).resolve(DOCUMENT_FONT_MODULE)));
  return cached;
}
