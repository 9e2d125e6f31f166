// Rewrites one bench's generated block in bench/README.md (between its BEGIN/END markers), with
// the date and the machine's core count, so the figures there come from a run, not from memory.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

const README = resolve(import.meta.dirname, '../README.md');

export function writeBenchFigures(name, lines) {
  const begin = `<!-- BEGIN ${name} -->`;
  const end = `<!-- END ${name} -->`;
  const text = readFileSync(README, 'utf8');
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`bench/README.md has no ${begin} ... ${end} block`);
  const stamp = `Measured ${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores:`;
  const block = [begin, stamp, '', ...lines.map((l) => `- ${l}`), end].join('\n');
  writeFileSync(README, text.slice(0, i) + block + text.slice(j + end.length));
}
