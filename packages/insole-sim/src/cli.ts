#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { INSOLE_PATTERNS, PATTERN_EXPECTATIONS, isInsolePattern } from './patterns';
import { InsoleSimulator, type SimulatorOptions } from './simulator';

/**
 * `npm run simulate:insole -- [--devices N] [--hz R] [--pattern squat|lean-front|lean-left] [--url URL]
 *   [--batch] [--offline-ms MS] [--duration-s S] [--feedback-ms MS] [--device-prefix P] [--internal-key K]
 *   [--session UUID]`
 * Prints one line per feedback change while it runs; the LAST line is the JSON summary.
 */
export const USAGE =
  'simulate:insole -- [--devices N] [--hz R] [--pattern squat|lean-front|lean-left] [--url http://127.0.0.1:8080] [--batch] [--offline-ms MS] [--duration-s S] [--feedback-ms MS] [--device-prefix P] [--internal-key KEY] [--session UUID]';

/** The simulator's options from the command line; throws with the usage on a bad argument. */
export function parseSimulatorArgs(argv: readonly string[]): SimulatorOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      devices: { type: 'string', default: '1' },
      hz: { type: 'string', default: '20' },
      pattern: { type: 'string', default: 'squat' },
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      batch: { type: 'boolean', default: false },
      'offline-ms': { type: 'string', default: '0' },
      'duration-s': { type: 'string', default: '60' },
      'feedback-ms': { type: 'string', default: '1000' },
      'device-prefix': { type: 'string', default: 'sim-esp32-' },
      'internal-key': { type: 'string' },
      session: { type: 'string' },
    },
  });
  const num = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number in [${min}, ${max}]\nusage: ${USAGE}`);
    return n;
  };
  if (!isInsolePattern(values.pattern)) throw new Error(`--pattern must be one of ${INSOLE_PATTERNS.join(', ')}\nusage: ${USAGE}`);
  return {
    baseUrl: values.url.replace(/\/+$/, ''),
    devices: Math.round(num('devices', values.devices, 1, 1000)),
    hz: num('hz', values.hz, 0.1, 200),
    pattern: values.pattern,
    batch: values.batch,
    offlineMs: num('offline-ms', values['offline-ms'], 0, 3_600_000),
    durationMs: num('duration-s', values['duration-s'], 0.1, 86_400) * 1000,
    feedbackEveryMs: num('feedback-ms', values['feedback-ms'], 100, 60_000),
    devicePrefix: values['device-prefix'],
    internalKey: values['internal-key'],
    sessionId: values.session,
  };
}

async function main(): Promise<void> {
  let options: SimulatorOptions;
  try {
    options = parseSimulatorArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const expected = PATTERN_EXPECTATIONS[options.pattern];
  console.log(`pattern ${options.pattern}: ${expected.what}`);
  const summary = await new InsoleSimulator(options).run();
  console.log(JSON.stringify(summary));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    // fetch's own message is only "fetch failed"; the reason (ECONNREFUSED …) is its cause
    const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message}: is the platform running there? --url)` : '';
    console.error(`${e instanceof Error ? e.message : String(e)}${cause}`);
    process.exit(1);
  });
}
