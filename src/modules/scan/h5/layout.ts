import { html, raw, type SafeHtml } from './html.js';
import { PAGE_CSS } from './page-style.js';

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Inline script (trusted constant from this module) for progressive enhancement. */
  script?: string;
  /** Reload every N seconds when scripts are off (status pages in progress). */
  noscriptRefreshSeconds?: number;
}

/** A whole consumer page: Simplified Chinese, phone viewport, inline CSS, no external resources. */
export function renderPage(options: PageOptions): string {
  const refresh = options.noscriptRefreshSeconds;
  return `<!doctype html>${html`<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${options.title}</title>
<style>${raw(PAGE_CSS)}</style>
${refresh ? html`<noscript><meta http-equiv="refresh" content="${refresh}"></noscript>` : ''}
</head>
<body>
<main>${options.body}</main>
<footer>电子发票由 OpenFapiao 开具</footer>
${options.script ? html`<script>${raw(options.script)}</script>` : ''}
</body>
</html>`}`;
}
