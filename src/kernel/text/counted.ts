/** "1 report", "3 reports": a count with its noun, for the server's texts and the browser's alike. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
