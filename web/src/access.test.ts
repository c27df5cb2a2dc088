import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS, permissionsOf, type Role } from '../../src/access/roles.ts';
import {
  can,
  checkPasswordChange,
  checkSignIn,
  expiresIn,
  grantableClearances,
  groupSecret,
  incidentActions,
  navItems,
  PUBLIC_SESSION,
  permissionWords,
  readCookie,
  rolesText,
  routeAccess,
  type Session,
  safeNext,
  sessionFrom,
  signInPath,
  signInProblem,
  signInReason,
} from './access.ts';
import { parseRoute } from './router.ts';

/** What GET /api/v1/session answers for an account holding `roles`. */
function sessionOf(roles: Role[], extra: { totpEnrolmentRequired?: boolean } = {}): Session {
  const enrolling = extra.totpEnrolmentRequired ?? false;
  return sessionFrom({
    account: {
      id: '01a22b4e-0000-7000-8000-000000000001',
      username: `demo-${roles[0]}`,
      displayName: 'Demo person',
      participant: 'GBR',
      roles,
      totpEnabled: false,
      demo: true,
    },
    totpEnrolmentRequired: enrolling,
    permissions: [...permissionsOf(enrolling ? [] : roles)],
  });
}

describe('the session as the app reads it', () => {
  it('reads the server’s answer, dropping roles and actions it cannot name', () => {
    const s = sessionFrom({
      account: {
        id: 'a',
        username: 'ana',
        displayName: '',
        participant: 'FRA',
        roles: ['analyst', 'wizard'],
        clearance: 'SECRET',
        totpEnabled: true,
        demo: false,
      },
      expiresAt: '2026-12-01T08:00:00Z',
      totpEnrolmentRequired: false,
      permissions: ['incident:read', 'launch:missiles'],
    });
    expect(s.account).toEqual({
      id: 'a',
      username: 'ana',
      displayName: 'ana',
      participant: 'FRA',
      roles: ['analyst'],
      clearance: 'SECRET',
      totpEnabled: true,
      demo: false,
    });
    expect(can(s, 'incident:read')).toBe(true);
    expect([...s.permissions]).not.toContain('launch:missiles');
    // Never less than the public.
    for (const a of PERMISSIONS.public) expect(can(s, a)).toBe(true);
    expect(s.expiresAt).toBe('2026-12-01T08:00:00Z');
  });

  it('takes a clearance it cannot name as the lowest, and offers an administrator only up to their own', () => {
    for (const clearance of ['TOP SECRET', undefined, 3, '__proto__']) {
      const s = sessionFrom({ account: { id: 'a', username: 'ana', roles: [], clearance }, permissions: [] });
      expect(s.account?.clearance).toBe('PUBLIC');
    }
    expect(grantableClearances('CONFIDENTIAL')).toEqual(['PUBLIC', 'RESTRICTED', 'CONFIDENTIAL']);
    expect(grantableClearances('SECRET')).toEqual(['PUBLIC', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET']);
    expect(grantableClearances('PUBLIC')).toEqual(['PUBLIC']);
  });

  it('treats anything that is not an account as the public', () => {
    for (const answer of [
      null,
      'x',
      {},
      { account: null },
      { machine: 'sensor', permissions: ['report:submit'] },
    ]) {
      expect(sessionFrom(answer)).toBe(PUBLIC_SESSION);
    }
    expect([...PUBLIC_SESSION.permissions].sort()).toEqual([...PERMISSIONS.public].sort());
  });

  it('reads one cookie out of document.cookie', () => {
    expect(readCookie('a=1; guarantor_csrf=abc%3D; b=2', 'guarantor_csrf')).toBe('abc=');
    expect(readCookie('guarantor_csrf=', 'guarantor_csrf')).toBeUndefined();
    expect(readCookie('xguarantor_csrf=1', 'guarantor_csrf')).toBeUndefined();
    expect(readCookie('', 'guarantor_csrf')).toBeUndefined();
    expect(readCookie('guarantor_csrf=%E0', 'guarantor_csrf')).toBe('%E0');
  });
});

describe('coming back after sign-in', () => {
  it('returns only to the app’s own pages', () => {
    expect(safeNext('/incidents/abc?x=1')).toBe('/incidents/abc?x=1');
    expect(safeNext('/daily/2026-11-29')).toBe('/daily/2026-11-29');
    for (const bad of [
      null,
      '',
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      '/api/v1/session',
      '/sign-in',
      '/sign-in?next=/',
      '/a b',
      '/a\tb',
      `/${'x'.repeat(3000)}`,
    ]) {
      expect(safeNext(bad)).toBe('/');
    }
  });

  it('never yields anything but a same-origin path, whatever it is given', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const next = safeNext(raw);
        const url = new URL(next, 'https://app.example');
        expect(url.origin).toBe('https://app.example');
        expect(next.startsWith('/')).toBe(true);
        expect(next.startsWith('//')).toBe(false);
      }),
    );
  });

  it('writes the sign-in address with where to come back and why', () => {
    expect(signInPath()).toBe('/sign-in');
    expect(signInPath('/')).toBe('/sign-in');
    expect(signInPath('/incidents/x?y=1', 'expired')).toBe(
      '/sign-in?next=%2Fincidents%2Fx%3Fy%3D1&reason=expired',
    );
    expect(signInPath('https://evil.example', 'required')).toBe('/sign-in?reason=required');
    const back = new URL(signInPath('/daily/2026-11-29?x=1'), 'https://a.example').searchParams.get('next');
    expect(back).toBe('/daily/2026-11-29?x=1');
    expect(signInReason('expired')).toBe('expired');
    expect(signInReason('toString')).toBeUndefined();
    expect(signInReason(null)).toBeUndefined();
  });
});

describe('sign-in messages', () => {
  it('says the same for every failure, so nobody learns which accounts exist', () => {
    const unknown = signInProblem({
      code: 'sign_in_failed',
      detail: 'The username, password or code is not right',
    });
    const wrong = signInProblem({ code: 'sign_in_failed' });
    expect(unknown).toEqual(wrong);
    expect(unknown.field).toBeUndefined();
    expect(unknown.message).not.toMatch(/exist|unknown|no such|locked|disabled/i);
  });

  it('asks for the code when the server wants one, and says how long to wait when throttled', () => {
    expect(signInProblem({ code: 'totp_required', field: 'totpCode' })).toEqual({
      message: expect.stringContaining('six-digit code'),
      field: 'totpCode',
    });
    expect(signInProblem({ code: 'rate_limited' }, 42).message).toContain('42 seconds');
    expect(signInProblem({ code: 'rate_limited' }).message).toContain('Wait a little');
    expect(signInProblem({ code: 'forbidden', detail: 'sign in over HTTPS' }).message).toBe(
      'sign in over HTTPS',
    );
  });

  it('checks the form before sending', () => {
    expect(checkSignIn({ username: ' ', password: '', totpCode: null }).errors).toEqual({
      username: expect.any(String),
      password: expect.any(String),
    });
    expect(checkSignIn({ username: ' ana ', password: 'pw', totpCode: null }).body).toEqual({
      username: 'ana',
      password: 'pw',
    });
    expect(checkSignIn({ username: 'ana', password: 'pw', totpCode: '12 34' }).errors.totpCode).toBeDefined();
    expect(checkSignIn({ username: 'ana', password: 'pw', totpCode: '123 456' }).body).toEqual({
      username: 'ana',
      password: 'pw',
      totpCode: '123456',
    });
  });

  it('checks a new password before sending it', () => {
    expect(checkPasswordChange({ current: '', next: 'short', repeat: 'short' }).errors).toEqual({
      currentPassword: expect.any(String),
      newPassword: expect.stringContaining('12'),
    });
    expect(
      checkPasswordChange({ current: 'old password!', next: 'old password!', repeat: 'old password!' }).errors
        .newPassword,
    ).toMatch(/different/);
    expect(
      checkPasswordChange({ current: 'old', next: 'a long new password', repeat: 'a long new passwort' })
        .errors,
    ).toEqual({ repeat: expect.any(String) });
    expect(
      checkPasswordChange({ current: 'old', next: 'a long new password', repeat: 'a long new password' })
        .body,
    ).toEqual({
      currentPassword: 'old',
      newPassword: 'a long new password',
    });
  });
});

describe('each role sees its own world', () => {
  const nav = (s: Session) => navItems(s).map((i) => i.label);

  it('offers the public the map, the daily report and the ledger, and nothing else', () => {
    expect(nav(PUBLIC_SESSION)).toEqual(['Map', 'Daily report', 'Ledger']);
    expect(incidentActions(PUBLIC_SESSION)).toEqual({ transition: false, split: false, merge: false });
    expect(routeAccess(parseRoute('/'), PUBLIC_SESSION)).toBe('ok');
    expect(routeAccess(parseRoute('/daily/2026-11-29'), PUBLIC_SESSION)).toBe('ok');
    expect(routeAccess(parseRoute('/verify'), PUBLIC_SESSION)).toBe('ok');
    expect(routeAccess(parseRoute('/sign-in'), PUBLIC_SESSION)).toBe('ok');
    expect(routeAccess(parseRoute('/nowhere'), PUBLIC_SESSION)).toBe('ok');
    for (const path of [
      '/incidents/x',
      '/account',
      '/account/authenticator',
      '/admin',
      '/access-trail',
      '/import',
    ]) {
      expect(routeAccess(parseRoute(path), PUBLIC_SESSION)).toBe('sign_in');
    }
  });

  it('gives the analyst the operations room and every verification action', () => {
    const s = sessionOf(['analyst']);
    expect(nav(s)).toEqual(['Operations room', 'Daily report', 'Ledger', 'Import']);
    expect(incidentActions(s)).toEqual({ transition: true, split: true, merge: true });
    expect(routeAccess(parseRoute('/import'), s)).toBe('ok');
    expect(routeAccess(parseRoute('/incidents/x'), s)).toBe('ok');
    expect(routeAccess(parseRoute('/admin'), s)).toBe('forbidden');
  });

  it('lets the monitor read incidents but take no verification action', () => {
    const s = sessionOf(['monitor']);
    expect(nav(s)[0]).toBe('Operations room');
    expect(incidentActions(s)).toEqual({ transition: false, split: false, merge: false });
    expect(routeAccess(parseRoute('/incidents/x'), s)).toBe('ok');
    expect(routeAccess(parseRoute('/access-trail'), s)).toBe('forbidden');
    expect(routeAccess(parseRoute('/import'), s)).toBe('forbidden');
  });

  it('gives the administrator administration and the access trail, not incidents', () => {
    const s = sessionOf(['administrator']);
    expect(nav(s)).toEqual(['Map', 'Daily report', 'Ledger', 'Administration', 'Access trail']);
    expect(can(s, 'incident:read')).toBe(false);
    expect(routeAccess(parseRoute('/incidents/x'), s)).toBe('forbidden');
    expect(routeAccess(parseRoute('/admin'), s)).toBe('ok');
  });

  it('gives commission delegates the access trail but not administration', () => {
    const s = sessionOf(['commission_delegate']);
    expect(nav(s)).toEqual(['Operations room', 'Daily report', 'Ledger', 'Access trail']);
    expect(routeAccess(parseRoute('/admin'), s)).toBe('forbidden');
  });

  it('holds an account that must set up its authenticator to that step alone', () => {
    const s = sessionOf(['analyst'], { totpEnrolmentRequired: true });
    expect(nav(s)).toEqual([]);
    expect(can(s, 'incident:read')).toBe(false);
    expect(routeAccess(parseRoute('/account/authenticator'), s)).toBe('ok');
    for (const path of ['/', '/daily', '/incidents/x', '/account', '/admin']) {
      expect(routeAccess(parseRoute(path), s)).toBe('enrol');
    }
  });

  it('names every role and what it may do in words', () => {
    expect(rolesText(['host_nation_liaison', 'commission_chair'])).toBe(
      'host-nation liaison, commission chair',
    );
    expect(rolesText([])).toBe('no role');
    expect(permissionWords(sessionOf(['monitor']))).toContain('see incidents on the map and open them');
    expect(permissionWords(PUBLIC_SESSION)).not.toContain('sign in');
  });
});

describe('small helpers', () => {
  it('groups a TOTP secret as apps show it', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXPJBSWY3DP')).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP');
    expect(groupSecret('ABCDE')).toBe('ABCD E');
    expect(groupSecret('')).toBe('');
  });

  it('says how long the session has left', () => {
    const now = Date.parse('2026-11-30T10:00:00Z');
    expect(expiresIn(null, now)).toBeNull();
    expect(expiresIn('2026-11-30T10:30:00Z', now)).toBe('in 30 min');
    expect(expiresIn('2026-11-30T18:05:00Z', now)).toBe('in 8 h 5 min');
    expect(expiresIn('2026-12-07T10:00:00Z', now)).toBe('in 7 days');
    expect(expiresIn('2026-11-30T09:00:00Z', now)).toBe('now');
  });
});
