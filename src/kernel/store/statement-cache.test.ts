import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cachingDatabase } from './statement-cache.ts';

describe('cachingDatabase', () => {
  it('prepares each SQL text once and lets the least recently used go first', () => {
    const raw = new SQLite(':memory:');
    let prepared = 0;
    const counting = new Proxy(raw, {
      get(target, key) {
        if (key === 'prepare')
          return (text: string) => {
            prepared++;
            return target.prepare(text);
          };
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const db = cachingDatabase(counting, 2);
    const one = db.prepare('select 1 as n');
    expect(db.prepare('select 1 as n')).toBe(one);
    expect(one.all([])).toEqual([{ n: 1 }]);
    db.prepare('select 2 as n');
    db.prepare('select 1 as n'); // used again: now 'select 2' is the least recent
    db.prepare('select 3 as n'); // evicts 'select 2'
    expect(prepared).toBe(3);
    db.prepare('select 1 as n');
    expect(prepared).toBe(3);
    db.prepare('select 2 as n');
    expect(prepared).toBe(4);
    db.close();
    expect(raw.open).toBe(false);
  });

  it('keeps working after the schema changes under a kept statement', () => {
    const db = cachingDatabase(new SQLite(':memory:'));
    db.prepare('create table t (a integer)').run([]);
    const insert = db.prepare('insert into t (a) values (?)');
    insert.run([1]);
    db.prepare('alter table t add column b text').run([]);
    db.prepare('insert into t (a) values (?)').run([2]);
    expect(db.prepare('select a, b from t order by a').all([])).toEqual([
      { a: 1, b: null },
      { a: 2, b: null },
    ]);
    db.close();
  });

  it('gives rows as better-sqlite3 does, and follows a kept select * through a new column', () => {
    const plain = new SQLite(':memory:');
    const db = cachingDatabase(plain);
    db.prepare('create table t (a integer, "odd ""name" text, b real)').run([]);
    db.prepare('insert into t values (?, ?, ?)').run([1, 'x', 1.5]);
    db.prepare('insert into t values (?, ?, ?)').run([2, null, null]);
    for (const sql of [
      'select * from t order by a',
      'select a, a, b as a from t order by a',
      'select a from t where a > 5',
    ]) {
      expect(db.prepare(sql).all([])).toEqual(plain.prepare(sql).all());
      expect([...db.prepare(sql).iterate([])]).toEqual(plain.prepare(sql).all());
    }
    const all = db.prepare('select * from t order by a');
    db.prepare('alter table t add column c text').run([]);
    expect(all.all([])).toEqual(plain.prepare('select * from t order by a').all());
    expect(all.all([])[0]).toHaveProperty('c', null);
    db.close();
  });
});
