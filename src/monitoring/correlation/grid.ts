/**
 * The candidate index: which incidents a report could possibly link to. It answers a superset of the
 * incidents with a non-zero score and never decides anything, so its shape changes speed, not results.
 *
 * Two parts:
 * - hot cells: a lon/lat grid holding incidents that can still link to a report observed at the sweep time
 *   (the latest `observedFrom` seen). Each incident sits in every cell its reach box touches: its centre
 *   plus `maxSigma` uncertainties. A report looks in the cells of its own reach box, so any pair within
 *   the sum of both reaches meets in some cell. Entries are removed lazily while cells are scanned:
 *   merged incidents, incidents the sweep has passed, and cells an incident's box has left.
 * - cold buckets: every incident listed by hour of its time reach, consulted only for a report observed
 *   before the sweep time, which may link to incidents the hot cells have let go. Out-of-order reports are
 *   therefore correct, only slower.
 */
import { M_PER_DEG } from '../geo/geodesy.ts';
import type { CorrelationReport } from '../types.ts';
import type { CorrelationOptions } from './options.ts';

const DEG = Math.PI / 180;
const BUCKET_MS = 3_600_000;

/** The fields the index reads and the bookkeeping it keeps on each incident. */
export interface Indexed {
  lon: number;
  lat: number;
  uncertaintyM: number;
  firstObserved: number;
  lastObserved: number;
  /** Merged into another incident: the index drops it when met. */
  dead: boolean;
  /** Whether the incident can be linked at all (precise enough); others are never indexed. */
  linkable: boolean;
  slot: IndexSlot;
}

export interface IndexSlot {
  gx0: number;
  gx1: number;
  gy0: number;
  gy1: number;
  /** lastObserved + tolerance when last registered in the hot cells; -Infinity when never. */
  hotUntil: number;
  tb0: number;
  tb1: number;
  seen: number;
  cellSeen: number;
}

export function newSlot(): IndexSlot {
  return {
    gx0: 0,
    gx1: -1,
    gy0: 0,
    gy1: -1,
    hotUntil: Number.NEGATIVE_INFINITY,
    tb0: 0,
    tb1: -1,
    seen: 0,
    cellSeen: 0,
  };
}

interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export class CandidateIndex<T extends Indexed> {
  private readonly cells = new Map<number, T[]>();
  private readonly buckets = new Map<number, T[]>();
  private readonly cellDeg: number;
  private readonly xOff: number;
  private readonly xWidth: number;
  private readonly yOff: number;
  private readonly toleranceMs: number;
  private readonly maxSigma: number;
  private readonly floorM: number;
  /** Latitude margin (deg) within which the mean latitude of any linkable pair lies; see box(). */
  private readonly latPadDeg: number;
  private sweepMs = Number.NEGATIVE_INFINITY;
  private stamp = 0;
  private cellStamp = 0;
  private readonly box0: Box = { x0: 0, x1: -1, y0: 0, y1: -1 };

  constructor(o: Readonly<CorrelationOptions>) {
    this.cellDeg = (o.indexCellKm * 1000) / M_PER_DEG;
    this.xOff = Math.ceil(180 / this.cellDeg) + 1;
    this.xWidth = 2 * this.xOff + 1;
    this.yOff = Math.ceil(90 / this.cellDeg) + 1;
    this.toleranceMs = o.timeToleranceMs;
    this.maxSigma = o.maxSigma;
    this.floorM = o.uncertaintyFloorM;
    this.latPadDeg = this.reachM(o.maxUncertaintyM) / M_PER_DEG;
  }

  /** The sweep time only moves forward; incidents whose reach ends before it leave the hot cells. */
  get sweep(): number {
    return this.sweepMs;
  }

  advance(ms: number): void {
    if (ms > this.sweepMs) this.sweepMs = ms;
  }

  /** Registers a new or changed incident (after its fields changed). */
  upsert(inc: T): void {
    if (!inc.linkable || inc.dead) return;
    const s = inc.slot;
    const hotUntil = inc.lastObserved + this.toleranceMs;
    if (hotUntil >= this.sweepMs) {
      const b = this.box(inc.lon, inc.lat, inc.uncertaintyM, this.box0);
      // An incident the sweep had passed may have been dropped from any of its cells: register it afresh.
      const fresh = s.hotUntil < this.sweepMs;
      for (let y = b.y0; y <= b.y1; y++) {
        for (let x = b.x0; x <= b.x1; x++) {
          if (!fresh && x >= s.gx0 && x <= s.gx1 && y >= s.gy0 && y <= s.gy1) continue;
          const key = this.key(x, y);
          const cell = this.cells.get(key);
          if (cell === undefined) this.cells.set(key, [inc]);
          else cell.push(inc);
        }
      }
      s.gx0 = b.x0;
      s.gx1 = b.x1;
      s.gy0 = b.y0;
      s.gy1 = b.y1;
    }
    s.hotUntil = hotUntil;
    // Time reach only grows (joins widen it, merges take the union), so only new buckets need the incident.
    const tb0 = Math.floor((inc.firstObserved - this.toleranceMs) / BUCKET_MS);
    const tb1 = Math.floor(hotUntil / BUCKET_MS);
    for (let t = tb0; t <= tb1; t++) {
      if (t >= s.tb0 && t <= s.tb1) continue;
      const bucket = this.buckets.get(t);
      if (bucket === undefined) this.buckets.set(t, [inc]);
      else bucket.push(inc);
    }
    s.tb0 = Math.min(tb0, s.tb0 <= s.tb1 ? s.tb0 : tb0);
    s.tb1 = Math.max(tb1, s.tb1);
  }

  /** Appends to `out` every live incident that could have a non-zero score with the report. */
  query(report: CorrelationReport, out: T[]): void {
    const stamp = ++this.stamp;
    const sweep = this.sweepMs;
    const b = this.box(report.lon, report.lat, report.uncertaintyM, this.box0);
    for (let y = b.y0; y <= b.y1; y++) {
      for (let x = b.x0; x <= b.x1; x++) {
        const cell = this.cells.get(this.key(x, y));
        if (cell === undefined) continue;
        const cellStamp = ++this.cellStamp;
        let kept = 0;
        for (let i = 0; i < cell.length; i++) {
          const inc = cell[i]!;
          const s = inc.slot;
          if (
            inc.dead ||
            s.hotUntil < sweep ||
            s.cellSeen === cellStamp ||
            x < s.gx0 ||
            x > s.gx1 ||
            y < s.gy0 ||
            y > s.gy1
          ) {
            continue;
          }
          s.cellSeen = cellStamp;
          cell[kept++] = inc;
          if (s.seen !== stamp) {
            s.seen = stamp;
            out.push(inc);
          }
        }
        if (kept === 0) this.cells.delete(this.key(x, y));
        else cell.length = kept;
      }
    }
    if (report.observedFrom >= sweep) return;
    // Incidents whose reach ended before the sweep time are only in the buckets.
    const from = report.observedFrom;
    const to = report.observedTo;
    const tb1 = Math.floor(Math.min(to, sweep) / BUCKET_MS);
    for (let t = Math.floor(from / BUCKET_MS); t <= tb1; t++) {
      const bucket = this.buckets.get(t);
      if (bucket === undefined) continue;
      let kept = 0;
      for (let i = 0; i < bucket.length; i++) {
        const inc = bucket[i]!;
        if (inc.dead) continue;
        bucket[kept++] = inc;
        const s = inc.slot;
        if (
          s.seen !== stamp &&
          inc.lastObserved + this.toleranceMs >= from &&
          inc.firstObserved - this.toleranceMs <= to
        ) {
          s.seen = stamp;
          out.push(inc);
        }
      }
      bucket.length = kept;
    }
  }

  /** How far (m) from its centre an estimate of this uncertainty can link. */
  reachM(uncertaintyM: number): number {
    // The margin keeps floating-point rounding at the edge from losing a candidate.
    return this.maxSigma * Math.max(uncertaintyM, this.floorM) * (1 + 1e-9) + 1;
  }

  /**
   * The cells of the reach box around a point. The longitude half-width uses the cosine at the latitude
   * furthest from the equator that the mean latitude of a linkable pair can reach, so the boxes of any
   * pair within reach overlap under the equirectangular distance.
   */
  private box(lon: number, lat: number, uncertaintyM: number, b: Box): Box {
    const r = this.reachM(uncertaintyM);
    const dLat = r / M_PER_DEG;
    const worstLat = Math.abs(lat) + this.latPadDeg;
    const cos = worstLat >= 90 ? 0 : Math.cos(worstLat * DEG);
    const dLon = cos < 1e-6 ? 360 : r / (M_PER_DEG * cos);
    const cd = this.cellDeg;
    b.x0 = Math.floor(Math.max(-180, lon - dLon) / cd);
    b.x1 = Math.floor(Math.min(180, lon + dLon) / cd);
    b.y0 = Math.floor(Math.max(-90, lat - dLat) / cd);
    b.y1 = Math.floor(Math.min(90, lat + dLat) / cd);
    return b;
  }

  private key(x: number, y: number): number {
    return (y + this.yOff) * this.xWidth + (x + this.xOff);
  }
}
