import type { FsrSide } from '@squirret/contracts';

/** The six sensor ratios of one foot, in order ratio1..ratio6 (see the app README for the regions). */
export type Ratios = readonly [number, number, number, number, number, number];

/** One foot's sample as the service keeps it: which foot, its six ratios, and when it was taken (epoch ms). */
export interface FootSample {
  readonly side: FsrSide;
  readonly ratios: Ratios;
  readonly at: number;
}

/** A sample on its way to PostgreSQL, with the device, session and receive time. */
export interface SampleRow extends FootSample {
  readonly deviceId: string;
  readonly sessionId: string | null;
  readonly receivedAt: number;
  /** Position in this instance's journal (absent without one); the journal's mark moves with the commit. */
  readonly seq?: number;
}

/** The ratios of a wire sample (`ratio1`..`ratio6`) as a tuple. */
export function ratiosOf(s: { ratio1: number; ratio2: number; ratio3: number; ratio4: number; ratio5: number; ratio6: number }): Ratios {
  return [s.ratio1, s.ratio2, s.ratio3, s.ratio4, s.ratio5, s.ratio6];
}
