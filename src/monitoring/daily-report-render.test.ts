import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureDay } from './daily-report.fixture.ts';
import { buildDailyReport } from './daily-report.ts';
import {
  csvField,
  DEMO_NOTICE,
  dailyCsv,
  dailyHtml,
  describeCounts,
  escapeHtml,
} from './daily-report-render.ts';
import { EVENT_TYPES } from './report-schema.ts';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml(42)).toBe('42');
  });

  it('property: escaped text has no markup left and unescapes to the original', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const out = escapeHtml(text);
        expect(out).not.toMatch(/[<>"']/);
        const back = out
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&amp;/g, '&');
        expect(back).toBe(text);
      }),
    );
  });
});

describe('describeCounts', () => {
  it('reads as a sentence, with singulars and estimates marked', () => {
    expect(describeCounts({ shot: 1, explosion: 12, burst: 3 }, ['explosion'])).toBe(
      'about 12 explosions, 3 bursts and 1 shot',
    );
    expect(describeCounts({ uav_flight: 2 })).toBe('2 UAV flights');
    expect(describeCounts({})).toBe('');
  });
});

describe('dailyHtml', () => {
  const input = fixtureDay();
  input.sectors = [...input.sectors, { id: 'S-3', name: 'East & <b>West</b>' }];
  const html = dailyHtml(buildDailyReport(input));

  it('is a complete page that loads and runs nothing', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import|\son\w+=/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('@media print');
  });

  it('escapes a note containing a script tag', () => {
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; turned back');
    expect(html).not.toContain('<script>alert');
  });

  it('escapes sector names', () => {
    expect(html).toContain('East &amp; &lt;b&gt;West&lt;/b&gt;');
    expect(html).not.toContain('<b>West</b>');
  });

  it('shows the figures and what was excluded', () => {
    expect(html).toContain(
      'Events observed: 9 explosions, about 2 bursts, 2 shots, 3 weapon sightings and 1 movement restriction.',
    );
    expect(html).toContain('Excluded from these figures: 2 incidents (1 rejected, 1 duplicate).');
    expect(html).toContain('Tank withdrawal line');
    expect(html).not.toContain('patrol-7');
    expect(html).not.toContain('cam-12');
  });

  it('marks demonstration data only when the report says so', () => {
    expect(html).not.toContain(DEMO_NOTICE);
    const demo = dailyHtml(buildDailyReport({ ...fixtureDay(), demo: true }));
    expect(demo).toContain(`<p class="demo" role="note">${DEMO_NOTICE}</p>`);
    expect(demo).toContain(`<title>Daily report for 2026-11-20 (${DEMO_NOTICE})</title>`);
  });
});

describe('dailyCsv', () => {
  const input = fixtureDay();
  input.sectors = [
    ...input.sectors,
    { id: 'S-3', name: 'Kramatorsk, "east"' },
    { id: 'S-4', name: '=HYPERLINK("x")' },
  ];
  const report = buildDailyReport(input);
  const csv = dailyCsv(report);
  const rows = parse(csv) as string[][];

  it('has one row per sector and type and per oblast and type, under a header', () => {
    expect(rows[0]).toEqual(['date', 'scope', 'scopeId', 'scopeName', 'type', 'count']);
    expect(rows).toHaveLength(1 + (report.sectors.length + report.oblasts.length) * EVENT_TYPES.length);
    expect(rows).toContainEqual(['2026-11-20', 'sector', 'S-1', 'North', 'explosion', '9']);
    expect(rows).toContainEqual(['2026-11-20', 'oblast', 'UA-09', 'Luhansk', 'shot', '2']);
    expect(rows).toContainEqual(['2026-11-20', 'sector', '', 'Unassigned', 'weapon_sighting', '3']);
  });

  it('quotes by RFC 4180 and ends lines with CRLF', () => {
    expect(csv).toContain('"Kramatorsk, ""east"""');
    expect(rows).toContainEqual(['2026-11-20', 'sector', 'S-3', 'Kramatorsk, "east"', 'shot', '0']);
    expect(csv.split('\r\n')).toHaveLength(rows.length + 1);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(rows).toContainEqual(['2026-11-20', 'sector', 'S-4', `'=HYPERLINK("x")`, 'shot', '0']);
  });

  it('property: any field survives a round trip through a CSV parser', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (fields) => {
        const line = `${fields.map(csvField).join(',')}\r\n`;
        const [parsed] = parse(line, { relax_column_count: true }) as string[][];
        const expected = fields.map((f) => (/^[=+\-@\t\r]/.test(f) ? `'${f}` : f));
        expect(parsed).toEqual(expected);
      }),
    );
  });
});
