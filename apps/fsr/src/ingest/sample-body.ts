import { FsrSampleRequestSchema, isStorableRatio, type FsrSampleRequest } from '@squirret/contracts';
import { parseOrThrow } from '@squirret/server-kit';

const RATIO_KEYS = ['ratio1', 'ratio2', 'ratio3', 'ratio4', 'ratio5', 'ratio6'] as const;

const isRatio = (v: unknown): v is number => typeof v === 'number' && isStorableRatio(v);

/**
 * The contract's `POST /api/fsr_data` body, validated. The form every ESP32 sends (exactly `side` and
 * `ratio1`..`ratio6`, all valid) is recognised by a direct check; anything else (other fields,
 * `deviceId`, `sessionId`, any invalid value) goes through the contract's zod schema, which makes
 * the decision and the error message. The direct check only accepts what the schema accepts
 * (ingest-validation.spec compares them).
 */
export function parseSampleBody(body: unknown): FsrSampleRequest {
  if (typeof body === 'object' && body !== null && Object.getPrototypeOf(body) === Object.prototype) {
    const b = body as Record<string, unknown>;
    const side = b['side'];
    const r1 = b['ratio1'];
    const r2 = b['ratio2'];
    const r3 = b['ratio3'];
    const r4 = b['ratio4'];
    const r5 = b['ratio5'];
    const r6 = b['ratio6'];
    if (
      (side === 'left' || side === 'right') &&
      isRatio(r1) &&
      isRatio(r2) &&
      isRatio(r3) &&
      isRatio(r4) &&
      isRatio(r5) &&
      isRatio(r6) &&
      Object.keys(b).length === 1 + RATIO_KEYS.length &&
      Object.hasOwn(b, 'side') &&
      RATIO_KEYS.every((k) => Object.hasOwn(b, k))
    ) {
      return { side, ratio1: r1, ratio2: r2, ratio3: r3, ratio4: r4, ratio5: r5, ratio6: r6 };
    }
  }
  return parseOrThrow(FsrSampleRequestSchema, body);
}
