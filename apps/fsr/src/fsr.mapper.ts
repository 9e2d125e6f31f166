import type { FsrFoot, FsrLatestResponse, FsrStreamSample, FsrStreamSnapshot, FsrSampleEvent } from '@squirret/contracts';
import type { LatestFeet } from './live/live-store';
import type { FootSample } from './samples/foot-sample';

/** A kept sample as the contract's foot (5.2): side and ratio1..ratio6. */
export function toFoot(s: FootSample): FsrFoot {
  const [ratio1, ratio2, ratio3, ratio4, ratio5, ratio6] = s.ratios;
  return { side: s.side, ratio1, ratio2, ratio3, ratio4, ratio5, ratio6 };
}

/** `GET /api/fsr_data/latest` body. */
export function toLatestResponse(feet: LatestFeet): FsrLatestResponse {
  return { left: feet.left ? toFoot(feet.left) : null, right: feet.right ? toFoot(feet.right) : null };
}

/** The stream's first message on connect. */
export function toStreamSnapshot(deviceId: string, feet: LatestFeet): FsrStreamSnapshot {
  return { type: 'snapshot', deviceId, ...toLatestResponse(feet) };
}

/** The stream's message for one new sample from the bus. */
export function toStreamSample(e: FsrSampleEvent): FsrStreamSample {
  const [ratio1 = 0, ratio2 = 0, ratio3 = 0, ratio4 = 0, ratio5 = 0, ratio6 = 0] = e.ratios;
  return { type: 'sample', deviceId: e.deviceId, at: e.at, side: e.side, ratio1, ratio2, ratio3, ratio4, ratio5, ratio6 };
}
