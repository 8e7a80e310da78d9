/**
 * Response headers of the console's pages and assets (docs/console.md#csp).
 *
 * Scripts come only from our own origin (Vite emits no inline script). Styles also allow 'unsafe-inline': Ant
 * Design's CSS-in-JS injects <style> elements at run time and its components and ECharts set style attributes;
 * a nonce would cover the elements but not the attributes. Inline styles cannot run code, and every other source
 * stays 'self'. The PDF preview frames our own /api/v1 file download (frame-src 'self'); a received invoice's PDF
 * (served only as an attachment: it is untrusted) is framed from a blob: URL the page made of its bytes after checking
 * they are a PDF (frame-src blob:). Nobody may frame the console (frame-ancestors 'none' + X-Frame-Options: DENY).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/** Hashed build assets never change under their name. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
