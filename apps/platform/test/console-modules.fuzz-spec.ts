import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseBinaryMessage } from '@squirret/inference/dist/src/stream/frame-parser';
import { REPO_ROOT } from '@squirret/testing';

const CONSOLE_DIR = join(REPO_ROOT, 'apps', 'control-plane', 'public', 'console');
const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);
// Seeded like every fuzz spec: FUZZ_SEED picks the seed, FUZZ_SCALE scales the runs.
const SEED = Number(process.env.FUZZ_SEED ?? 1307);
const runs = (n: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * Number(process.env.FUZZ_SCALE ?? 1))), endOnFailure: true });

/** The console's browser modules are plain ES modules without imports: loaded here from their source as data: URLs. */
async function browserModule<T>(file: string): Promise<T> {
  const source = readFileSync(join(CONSOLE_DIR, file), 'utf8');
  return (await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`)) as T;
}

interface FrameSourceModule {
  encodeFrame(frameNumber: number, timestampMs: number, jpeg: ArrayBuffer): ArrayBuffer;
}
interface DataPlaneModule {
  tokenTimes(token: string): { exp: number; iat: number } | undefined;
  refreshDelayMs(token: string, nowMs?: number): number;
}

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const fakeJwt = (claims: Record<string, unknown>) => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.c2ln`;

describe('the console page modules (properties)', () => {
  it("the page's SQF1 encoder makes frames the data plane's parser reads back exactly", async () => {
    const { encodeFrame } = await browserModule<FrameSourceModule>('frame-source.js');
    await fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.oneof(fc.constant(0), fc.double({ min: NOW - 3_600_000, max: NOW + 3_600_000, noNaN: true })),
        fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        (frameNumber, ts, bytes) => {
          const jpeg = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
          const parsed = parseBinaryMessage(Buffer.from(encodeFrame(frameNumber, ts, jpeg)), { maxImageBytes: 4096, nowMs: () => NOW });
          assert.equal(parsed.kind, 'frame');
          if (parsed.kind !== 'frame') return;
          assert.equal(parsed.frameNumber, frameNumber);
          assert.equal(parsed.clientTimeMs, ts === 0 ? undefined : ts);
          assert.deepEqual(new Uint8Array(parsed.image), bytes);
        },
      ),
      runs(300),
    );
  });

  it('token timing never throws on any string, and a real token is refreshed before it expires, at most 90 s early', async () => {
    const { tokenTimes, refreshDelayMs } = await browserModule<DataPlaneModule>('data-plane.js');
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        tokenTimes(s);
        const d = refreshDelayMs(s, NOW);
        assert.ok(Number.isFinite(d) && d >= 0, `delay ${d} for ${JSON.stringify(s)}`);
      }),
      runs(300),
    );
    fc.assert(
      fc.property(fc.integer({ min: 30, max: 24 * 3600 }), fc.integer({ min: 0, max: 29 }), (lifetime, elapsed) => {
        const iat = Math.floor(NOW / 1000) - elapsed;
        const exp = iat + lifetime;
        const token = fakeJwt({ sub: 'x', aud: 'inference-ws', iat, exp });
        assert.deepEqual(tokenTimes(token), { exp, iat });
        const at = NOW + refreshDelayMs(token, NOW);
        assert.ok(at < exp * 1000, 'refreshed before expiry');
        assert.ok(exp * 1000 - at <= 90_000, 'not more than 90 s early');
      }),
      runs(300),
    );
  });
});
