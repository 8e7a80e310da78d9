import type { FastifyInstance } from 'fastify';

interface RoutePattern {
  readonly re: RegExp;
  readonly methods: Set<string>;
}

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A route URL as the router reads it (`/s/:token/qr.:format`, `/api/docs/*`, `:id(^\\d+)`) turned into a regular
 * expression over the request path: a parameter is one or more characters up to the next `/` (or its own regex),
 * `*` is the rest of the path.
 */
export function routePatternToRegExp(url: string): RegExp {
  let out = '';
  for (let i = 0; i < url.length; ) {
    const ch = url[i]!;
    if (ch === ':' && url[i + 1] !== ':') {
      const name = /^:[A-Za-z0-9_]+/.exec(url.slice(i))?.[0] ?? ':';
      i += name.length;
      if (url[i] === '(') {
        let depth = 0;
        let j = i;
        for (; j < url.length; j++) {
          if (url[j] === '(') depth++;
          else if (url[j] === ')' && --depth === 0) break;
        }
        out += `(?:${url
          .slice(i + 1, j)
          .replace(/^\^/, '')
          .replace(/\$$/, '')})`;
        i = j + 1;
      } else {
        out += '[^/]+?';
      }
    } else if (ch === ':') {
      out += ':';
      i += 2;
    } else if (ch === '*') {
      out += '.*';
      i++;
    } else {
      out += escapeRe(ch);
      i++;
    }
  }
  return new RegExp(`^${out}$`);
}

/**
 * Remembers every route's URL and methods as routes are added, so a request that matches no route can be told
 * apart: an unknown path (404) or a known path with another method (405 with `Allow`). Register before any route.
 */
export function trackRouteMethods(app: FastifyInstance): (rawUrl: string) => string[] {
  const patterns = new Map<string, RoutePattern>();
  app.addHook('onRoute', (route) => {
    let entry = patterns.get(route.url);
    if (!entry) {
      entry = { re: routePatternToRegExp(route.url), methods: new Set() };
      patterns.set(route.url, entry);
    }
    for (const method of [route.method].flat()) entry.methods.add(method.toUpperCase());
  });
  return (rawUrl) => {
    const rawPath = rawUrl.split('?', 1)[0] ?? '';
    let path = rawPath;
    try {
      path = decodeURI(rawPath);
    } catch {
      // Keep the raw path; a malformed escape never matched a route anyway.
    }
    const methods = new Set<string>();
    for (const { re, methods: routeMethods } of patterns.values()) {
      if (re.test(path) || re.test(rawPath)) for (const m of routeMethods) methods.add(m);
    }
    if (methods.size === 0) return [];
    if (methods.has('GET')) methods.add('HEAD');
    methods.add('OPTIONS');
    return [...methods].sort();
  };
}
