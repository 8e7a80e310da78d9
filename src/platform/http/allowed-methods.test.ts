import { describe, expect, it } from 'vitest';
import { routePatternToRegExp } from './allowed-methods.js';

describe('routePatternToRegExp', () => {
  it('matches parameters within one segment, static suffixes, regex parameters and wildcards', () => {
    const cases: Array<[string, string[], string[]]> = [
      ['/api/v1/orgs/:taxId', ['/api/v1/orgs/x', '/api/v1/orgs/%00'], ['/api/v1/orgs', '/api/v1/orgs/x/y']],
      ['/s/:token/qr.:format', ['/s/abc/qr.png'], ['/s/abc/qr.', '/s/abc/status.json']],
      ['/jobs/:id(^\\d+)', ['/jobs/12'], ['/jobs/ab']],
      ['/api/docs/*', ['/api/docs/', '/api/docs/static/x.js'], ['/api/doc']],
      ['/a::b', ['/a:b'], ['/a::b']],
    ];
    for (const [pattern, yes, no] of cases) {
      const re = routePatternToRegExp(pattern);
      for (const path of yes) expect(re.test(path), `${pattern} ~ ${path}`).toBe(true);
      for (const path of no) expect(re.test(path), `${pattern} !~ ${path}`).toBe(false);
    }
  });
});
