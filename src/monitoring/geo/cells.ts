/**
 * A coarse grid over the globe (half a degree a side: about 55 km north to south, 35 km east to west in
 * Ukraine) that buckets each incident by its centre. An index on the bucket lets correlation fetch the
 * stored incidents near a new report instead of every incident of the day along the whole line.
 */

const CELL_DEGREES = 0.5;
const COLUMNS = 360 / CELL_DEGREES;
const ROWS = 180 / CELL_DEGREES;

function column(lon: number): number {
  return Math.min(COLUMNS - 1, Math.max(0, Math.floor((lon + 180) / CELL_DEGREES)));
}

function row(lat: number): number {
  return Math.min(ROWS - 1, Math.max(0, Math.floor((lat + 90) / CELL_DEGREES)));
}

/** The cell holding a point; points on a cell's west or south edge belong to it. */
export function cellOf(lon: number, lat: number): number {
  return row(lat) * COLUMNS + column(lon);
}

/**
 * Every cell a box touches, or undefined when that is more than `limit` cells: a box that large is
 * better read by time alone.
 */
export function cellsCovering(
  box: { minLon: number; maxLon: number; minLat: number; maxLat: number },
  limit = 256,
): number[] | undefined {
  if (!(box.minLon <= box.maxLon && box.minLat <= box.maxLat)) return [];
  const c0 = column(box.minLon);
  const c1 = column(box.maxLon);
  const r0 = row(box.minLat);
  const r1 = row(box.maxLat);
  if ((c1 - c0 + 1) * (r1 - r0 + 1) > limit) return undefined;
  const cells: number[] = [];
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) cells.push(r * COLUMNS + c);
  return cells;
}
