import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseSimulatorArgs } from './cli';
import { INSOLE_PATTERNS } from './patterns';

const seed = Number(process.env.FUZZ_SEED ?? 17);
const flags = ['--devices', '--hz', '--pattern', '--url', '--batch', '--offline-ms', '--duration-s', '--feedback-ms', '--device-prefix', '--internal-key', '--session', '--nope', '-x'];

describe('simulate:insole argument parser (fast-check)', () => {
  it('any argv either gives options inside their bounds or throws an Error with a message', () => {
    const arg = fc.oneof(fc.constantFrom(...flags), fc.constantFrom(...INSOLE_PATTERNS), fc.string(), fc.integer({ min: -5, max: 5000 }).map(String), fc.double().map(String));
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 8 }), (argv) => {
        let o;
        try {
          o = parseSimulatorArgs(argv);
        } catch (e) {
          assert.ok(e instanceof Error && e.message.length > 0);
          return;
        }
        assert.ok(Number.isInteger(o.devices) && o.devices >= 1 && o.devices <= 1000);
        assert.ok(o.hz >= 0.1 && o.hz <= 200);
        assert.ok((INSOLE_PATTERNS as readonly string[]).includes(o.pattern));
        assert.ok(o.offlineMs >= 0 && o.durationMs > 0 && o.feedbackEveryMs >= 100);
        assert.ok(!o.baseUrl.endsWith('/'));
      }),
      { seed, numRuns: 500 },
    );
  });

  it('the defaults and a full command line', () => {
    assert.deepEqual(
      { ...parseSimulatorArgs([]), log: undefined },
      { baseUrl: 'http://127.0.0.1:8080', devices: 1, hz: 20, pattern: 'squat', batch: false, offlineMs: 0, durationMs: 60_000, feedbackEveryMs: 1000, devicePrefix: 'sim-esp32-', internalKey: undefined, sessionId: undefined, log: undefined },
    );
    const o = parseSimulatorArgs(['--devices', '3', '--hz', '10', '--pattern', 'lean-left', '--batch', '--offline-ms', '2000', '--url', 'http://h:1/']);
    assert.deepEqual([o.devices, o.hz, o.pattern, o.batch, o.offlineMs, o.baseUrl], [3, 10, 'lean-left', true, 2000, 'http://h:1']);
    assert.throws(() => parseSimulatorArgs(['--pattern', 'lean-back']), /--pattern must be one of squat, lean-front, lean-left/);
  });
});
