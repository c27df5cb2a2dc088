import { parse as parseSync } from 'csv-parse/sync';
import { parse as parseBSync } from 'csv-parse/browser/esm/sync';
const N = 200000;
const header = 'clientInstanceId,source.kind,source.id,source.participant,observedFrom,observedTo,timePrecision,observer.lon,observer.lat,observer.accuracyM,event.lon,event.lat,event.bearingDeg,event.distanceKmMin,event.distanceKmMax,geoPrecision,type,weaponClass,count,countApproximate,means,claimedAttribution,notes,lang,supersedes';
let s = header + '\n';
for (let i = 0; i < N; i++) s += `c-${i},patrol,P-17,OSCE,2026-11-03T10:00:00Z,2026-11-03T10:05:00Z,minute,37.${i%1000},47.8,50,,,120,2,4,near,explosion,artillery_100mm_plus,3,false,heard,,"some ""notes"" here",en,\n`;
for (const [name, p] of [['lib', parseSync], ['browser', parseBSync]]) {
  for (const input of [s, Buffer.from(s)]) {
    let t = performance.now(); let n = 0;
    p(input, { on_record: (r, ctx) => { n += ctx.lines > 0 ? 1 : 0; return null; } });
    console.log(name, typeof input, n, (N / (performance.now() - t) * 1000) | 0, 'rows/s');
  }
}
// plain split baseline
let t = performance.now(); let n = 0;
for (const line of s.split('\n')) { n += line.split(',').length; }
console.log('split baseline', (N / (performance.now() - t) * 1000) | 0);
