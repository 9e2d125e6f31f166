import fc from 'fast-check';
import { StompCommand } from '../frame';

/**
 * Seed and run count of the fuzz tier: `FUZZ_SEED` picks the contract (fixed default, so CI is
 * reproducible; a failure prints the contract and path to replay), `FUZZ_RUNS` scales every property.
 */
export function fuzzParameters(runs: number): { seed: number; numRuns: number; endOnFailure: true } {
  const seed = Number(process.env.FUZZ_SEED ?? 1307);
  const scale = Number(process.env.FUZZ_SCALE ?? 1);
  return { seed, numRuns: Math.max(1, Math.round(runs * scale)), endOnFailure: true };
}

/** A Hangul syllable (U+AC00..U+D7A3): three UTF-8 bytes each, what the Korean app sends. */
export const hangul = fc.integer({ min: 0xac00, max: 0xd7a3 }).map((c) => String.fromCharCode(c));

/** Text a header may carry: any code point but NUL, with the characters STOMP escapes made common. */
export const headerText = (maxLength = 40): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\0') },
      { weight: 2, arbitrary: fc.constantFrom('\\', ':', '\r', '\n', '\\c', '\\n', '\\r', '\\\\', '\\t') },
      { weight: 2, arbitrary: hangul },
      { weight: 1, arbitrary: fc.constantFrom('😀', '\u{10FFFF}', '\uFEFF', ' ') },
    ),
    maxLength,
  });

/** Header names the session reads, plus random ones. */
export const headerName = fc.oneof(
  fc.constantFrom(
    'destination', 'id', 'receipt', 'ack', 'content-length', 'content-type', 'transaction',
    'accept-version', 'heart-beat', 'host', 'login', 'passcode', 'message-id', 'subscription',
  ),
  headerText(16).filter((n) => n.length > 0),
);

/** Values for the headers the session interprets, each with edge cases. */
const knownValue = (name: string): fc.Arbitrary<string> => {
  switch (name) {
    case 'accept-version':
      return fc.constantFrom('1.2', '1.1', '1.0', '1.2,1.1,1.0', '2.0', '', ' 1.2 , 1.1', '1.3,9');
    case 'heart-beat':
      return fc.oneof(
        fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `${a},${b}`),
        fc.constantFrom('0,0', '99999999999999999999,1', '-1,0', '1', 'a,b', ' 10 , 10 '),
      );
    case 'ack':
      return fc.constantFrom('auto', 'client', 'client-individual', 'none', '');
    case 'content-length':
      return fc.oneof(fc.nat({ max: 64 }).map(String), fc.constantFrom('-1', '1e3', ' 3', '999999999999', ''));
    case 'destination':
      return fc.oneof(
        fc.constantFrom('/user/queue/session', '/app/session.message', '/topic/x', ''),
        fc.array(hangul, { minLength: 30, maxLength: 80 }).map((cs) => `/topic/${cs.join('')}`),
        headerText(60),
      );
    default:
      return headerText(24);
  }
};

/** One header: a known one with a meaningful value, or noise. */
export const headerEntry: fc.Arbitrary<readonly [string, string]> = headerName.chain((name) =>
  knownValue(name).map((value) => [name, value] as const),
);

/** Every STOMP command, plus garbage command lines. */
export const commandName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...Object.values(StompCommand)) },
  { weight: 1, arbitrary: fc.constantFrom('send', 'FOO', '', ' SEND', 'SEND ', 'CONNECT\r', '연결') },
  { weight: 1, arbitrary: headerText(20).filter((c) => !/[\r\n]/.test(c)) },
);

/** A body: small random bytes, sometimes holding NULs, sometimes UTF-8 JSON. */
export const body = fc.oneof(
  fc.uint8Array({ maxLength: 96 }).map((b) => Buffer.from(b)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8')),
  fc.constant(Buffer.alloc(0)),
);

/** Splits `data` at random points, as TCP / WebSocket messages may. */
export const chunked = (data: Buffer): fc.Arbitrary<Buffer[]> =>
  fc.array(fc.nat({ max: Math.max(0, data.length) }), { maxLength: 6 }).map((cuts) => {
    const points = [...new Set(cuts)].sort((a, b) => a - b);
    const out: Buffer[] = [];
    let last = 0;
    for (const p of points) {
      out.push(data.subarray(last, p));
      last = p;
    }
    out.push(data.subarray(last));
    return out;
  });
