/** Payload prefix that makes the slow test worker hold its thread before estimating (see slow-worker.ts). */
export const SLOW_MAGIC = 'SLOW-THIS-WORKER:';
const MS_DIGITS = 6;

/** `image` behind a prefix telling the slow test worker to block its thread `ms` first. */
export function slowFrame(ms: number, image: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${SLOW_MAGIC}${String(ms).padStart(MS_DIGITS, '0')}`), image]);
}

/** The block and the real image of a slowFrame(), or undefined for any other bytes. */
export function parseSlowFrame(bytes: Uint8Array): { ms: number; image: Uint8Array } | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, SLOW_MAGIC.length + MS_DIGITS)).toString('latin1');
  if (!head.startsWith(SLOW_MAGIC) || head.length < SLOW_MAGIC.length + MS_DIGITS) return undefined;
  return { ms: Number(head.slice(SLOW_MAGIC.length)), image: bytes.subarray(SLOW_MAGIC.length + MS_DIGITS) };
}
