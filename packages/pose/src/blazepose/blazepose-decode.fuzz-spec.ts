// Property tests of the BlazePose output decoders (they parse model tensors: any float, NaN and
// Infinity included, must give a well-formed pose or "no one", never a throw or a NaN on the wire).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DETECTOR_VALUES_PER_ANCHOR, decodeBestDetection, generateAnchors } from './anchors';
import { LD3D_POINTS, LD3D_STRIDE, decodeLd3d, toBlazePoseOutput } from './landmarks';
import { cropToImage, imageToCrop, roiFromAlignmentPoints } from './roi';

const SEED = Number(process.env['FUZZ_SEED'] ?? 1307);
const runs = (n: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * Number(process.env['FUZZ_SCALE'] ?? 1))), endOnFailure: true });
const anyFloat = fc.float({ noDefaultInfinity: false, noNaN: false });
const coord = fc.double({ min: -5000, max: 5000, noNaN: true });
const anchors = generateAnchors();

describe('BlazePose decoders (fast-check)', () => {
  it('ROI maps round-trip for any alignment points and crop point', () => {
    fc.assert(
      fc.property(coord, coord, coord, coord, fc.double({ min: -2, max: 3, noNaN: true }), fc.double({ min: -2, max: 3, noNaN: true }), (cx, cy, sx, sy, u, v) => {
        fc.pre(Math.hypot(sx - cx, sy - cy) > 1);
        const roi = roiFromAlignmentPoints({ x: cx, y: cy }, { x: sx, y: sy });
        assert.ok(roi.rotation >= -Math.PI && roi.rotation < Math.PI);
        const back = imageToCrop(roi, cropToImage(roi, u, v));
        assert.ok(Math.abs(back.u - u) < 1e-6 && Math.abs(back.v - v) < 1e-6);
      }),
      runs(300),
    );
  });

  it('the detector decoder gives "no one" or a finite detection scoring >= the threshold', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(anchors.length - 1), fc.array(anyFloat, { minLength: 13, maxLength: 13 })), { maxLength: 8 }), (rows) => {
        const raw = new Float32Array(anchors.length * DETECTOR_VALUES_PER_ANCHOR).fill(-30);
        for (const [i, row] of rows) raw.set(row, i * DETECTOR_VALUES_PER_ANCHOR);
        const d = decodeBestDetection(raw, anchors);
        if (d === undefined) return;
        assert.ok(d.score >= 0.5 && d.score <= 1);
        assert.equal(d.keypoints.length, 4);
      }),
      runs(200),
    );
  });

  it('any ld_3d tensor decodes to 33 landmarks, 17 keypoints and 4 foot points, all in [0, 1] and finite', () => {
    fc.assert(
      fc.property(
        fc.array(anyFloat, { minLength: LD3D_POINTS * LD3D_STRIDE, maxLength: LD3D_POINTS * LD3D_STRIDE }),
        anyFloat,
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: 1, max: 4096 }),
        (values, presence, w, h) => {
          const roi = roiFromAlignmentPoints({ x: w / 2, y: h / 2 }, { x: w / 2, y: h / 4 });
          const out = toBlazePoseOutput(decodeLd3d(Float32Array.from(values), roi, 256), w, h, presence);
          assert.equal(out.landmarks.length, 33);
          assert.equal(out.keypoints.length, 17);
          assert.equal(out.feet.length, 4);
          for (const l of out.landmarks) {
            for (const v of [l.x, l.y, l.visibility]) assert.ok(v >= 0 && v <= 1, `${v}`);
            assert.ok(Number.isFinite(l.z));
          }
          for (const k of [...out.keypoints, ...out.feet]) for (const v of [k.x, k.y, k.score]) assert.ok(v >= 0 && v <= 1);
        },
      ),
      runs(200),
    );
  });
});
