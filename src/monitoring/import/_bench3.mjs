import { parse as parseBSync } from 'csv-parse/browser/esm/sync';
import { parse as parseSync } from 'csv-parse/sync';
const N = 200000;
let s = 'a,b,c\n';
for (let i = 0; i < N; i++) s += `c-${i},patrol,P-17,OSCE,2026-11-03T10:00:00Z,2026-11-03T10:05:00Z,minute,37.${i%1000},47.8,50,,,120,2,4,near,explosion,artillery_100mm_plus,3,false,heard,,"some ""notes"" here",en,\n`;
const u8 = new TextEncoder().encode(s);
for (const [name, p] of [['lib', parseSync], ['browser', parseBSync]]) {
let t = performance.now(); let n = 0;
try { p(u8, { relax_column_count: true, on_record: (r, ctx) => { n++; return null; } }); } catch (e) { console.log(e.message) }
console.log(name, 'u8', n, (N / (performance.now() - t) * 1000) | 0, 'rows/s');
}
// errors
for (const bad of ['a,b\n1,"2\n3,4\n', 'a,b\n1,"2"x\n3,4\n', 'a,b\n1,2"x\n3,4\n', 'a,b\n"x\ny",2\n3,4,5\n\n\n"p",q\n']) {
  const got = [];
  try { parseSync(bad, { relax_column_count: true, skip_empty_lines: true, on_record: (r, ctx) => { got.push([r, ctx.lines, ctx.records, ctx.empty_lines]); return null; } }); } catch (e) { console.log(JSON.stringify(bad), e.code, e.message, 'lines=', e.lines, Object.keys(e)); }
  console.log(JSON.stringify(got));
}
