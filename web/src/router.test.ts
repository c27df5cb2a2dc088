import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dailyPath, incidentPath, parseRoute } from './router.ts';

describe('routes', () => {
  it('reads every page’s address', () => {
    expect(parseRoute('/')).toEqual({ name: 'operations' });
    expect(parseRoute('')).toEqual({ name: 'operations' });
    expect(parseRoute('/incidents/01a22b4e-fb3e-702e-8f41-07745f360aa9')).toEqual({
      name: 'incident',
      id: '01a22b4e-fb3e-702e-8f41-07745f360aa9',
    });
    expect(parseRoute('/daily')).toEqual({ name: 'daily', date: null });
    expect(parseRoute('/daily/')).toEqual({ name: 'daily', date: null });
    expect(parseRoute('/daily/2026-11-29')).toEqual({ name: 'daily', date: '2026-11-29' });
    expect(parseRoute('/daily/yesterday')).toEqual({ name: 'not_found', path: '/daily/yesterday' });
    expect(parseRoute('/incidents/a/b')).toEqual({ name: 'not_found', path: '/incidents/a/b' });
    expect(parseRoute('/incidents/%E0%A4%A')).toEqual({ name: 'not_found', path: '/incidents/%E0%A4%A' });
    expect(parseRoute('/verify')).toEqual({ name: 'ledger' });
    expect(parseRoute('/sign-in')).toEqual({ name: 'sign_in' });
    expect(parseRoute('/account/')).toEqual({ name: 'account' });
    expect(parseRoute('/account/authenticator')).toEqual({ name: 'authenticator' });
    expect(parseRoute('/admin')).toEqual({ name: 'admin' });
    expect(parseRoute('/access-trail')).toEqual({ name: 'access' });
    expect(parseRoute('/import')).toEqual({ name: 'import' });
    expect(parseRoute('/toString')).toEqual({ name: 'not_found', path: '/toString' });
  });

  it('reads back any incident id it writes', () => {
    fc.assert(
      // "." and ".." cannot be a path segment: every URL parser resolves them, escaped or not, as
      // the current and parent directory. Incident ids are UUIDs, so neither is ever written.
      fc.property(
        fc.string({ minLength: 1 }).filter((id) => id !== '.' && id !== '..'),
        (id) => {
          const url = new URL(incidentPath(id), 'http://x');
          expect(parseRoute(url.pathname)).toEqual({ name: 'incident', id });
        },
      ),
    );
    expect(parseRoute(dailyPath('2026-01-02'))).toEqual({ name: 'daily', date: '2026-01-02' });
  });
});
