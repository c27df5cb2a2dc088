import { describe, expect, it } from 'vitest';
import { SecretsKey } from '../../access/secret-box.ts';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to the embedded database on 127.0.0.1:8080', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, demo: 'auto', logLevel: 'info' });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toMatch(/data$/);
  });

  it('reads the environment and lets flags win', () => {
    const c = loadConfig({ PORT: '9000', HOST: '0.0.0.0' }, { port: '9100' });
    expect(c.port).toBe(9100);
    expect(c.host).toBe('0.0.0.0');
  });

  it('names the variable and the bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT \(--port\).*70000/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });

  it('reads the hardening settings: trusted proxies, CORS origins, rate limits', () => {
    const c = loadConfig({
      GUARANTOR_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback',
      GUARANTOR_CORS_ORIGINS: 'https://member.example,http://localhost:5173',
      GUARANTOR_RATE_LIMIT: '0',
    });
    expect(c.trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
    expect(c.corsOrigins).toEqual(['https://member.example', 'http://localhost:5173']);
    expect(c.rateLimit).toBe(0);
    expect(c.rateLimitWrites).toBe(120);
    expect(loadConfig({})).toMatchObject({ corsOrigins: [], rateLimit: 600, rateLimitWrites: 120 });
    expect(loadConfig({}).trustProxy).toBeUndefined();
  });

  it('refuses proxies it cannot check and origins that are not exact', () => {
    for (const bad of ['1', 'true', '*', '10.0.0.0/33', 'proxy.example', '10.0.0.1/8/8'])
      expect(() => loadConfig({ GUARANTOR_TRUST_PROXY: bad }), bad).toThrow(/GUARANTOR_TRUST_PROXY/);
    for (const bad of [
      '*',
      'null',
      'https://member.example/',
      'https://member.example/app',
      'ftp://x.example',
    ])
      expect(() => loadConfig({ GUARANTOR_CORS_ORIGINS: bad }), bad).toThrow(/GUARANTOR_CORS_ORIGINS/);
    expect(() => loadConfig({ GUARANTOR_RATE_LIMIT_WRITES: '-1' })).toThrow(/GUARANTOR_RATE_LIMIT_WRITES/);
  });

  it('reads the secrets key as 32 bytes of base64, and never repeats a bad one', () => {
    expect(loadConfig({}).secretsKey).toBeUndefined();
    const b64 = Buffer.alloc(32, 9).toString('base64');
    const key = loadConfig({ GUARANTOR_SECRETS_KEY: b64 }).secretsKey;
    expect(key).toBeInstanceOf(SecretsKey);
    expect(key!.open(key!.seal('JBSWY3DPEHPK3PXP', 'a'), 'a')).toBe('JBSWY3DPEHPK3PXP');
    for (const bad of [Buffer.alloc(31, 9).toString('base64'), `${b64}x`, 'not base64 at all!']) {
      let message = '';
      try {
        loadConfig({ GUARANTOR_SECRETS_KEY: bad });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        message = (e as Error).message;
      }
      expect(message).toMatch(/GUARANTOR_SECRETS_KEY.*32 bytes in base64/);
      expect(message).toContain('not shown');
      expect(message).not.toContain(bad);
    }
  });
});
