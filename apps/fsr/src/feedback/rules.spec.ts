import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { metrics } from '../../test/factories/fsr.factory';
import { FSR_MESSAGES } from './messages';
import {
  FSR_THRESHOLDS,
  frontHeavy,
  frontRearImbalance,
  heelLight,
  innerHeavy,
  judge,
  leftRightImbalance,
  outerHeavy,
  RULES_BY_STAGE,
} from './rules';

describe('FSR rules, one at a time, at their boundaries', () => {
  it('frontHeavy: front over 40% (40.0 is fine, 40.1 is not)', () => {
    assert.equal(frontHeavy(metrics({ front: 40 })), null);
    assert.equal(frontHeavy(metrics({ front: 40.1 })), 'FRONT_HEAVY');
    assert.equal(frontHeavy(metrics({ front: 12 })), null);
  });

  it('heelLight: heel under 40% (40.0 is fine, 39.9 is not)', () => {
    assert.equal(heelLight(metrics({ heel: 40 })), null);
    assert.equal(heelLight(metrics({ heel: 39.9 })), 'HEEL_LIGHT');
    assert.equal(heelLight(metrics({ heel: 75 })), null);
  });

  it('innerHeavy: inner over 60% (60.0 is fine, 60.1 is not)', () => {
    assert.equal(innerHeavy(metrics({ inner: 60 })), null);
    assert.equal(innerHeavy(metrics({ inner: 60.1 })), 'INNER_HEAVY');
  });

  it('outerHeavy: outer over 60% (60.0 is fine, 60.1 is not)', () => {
    assert.equal(outerHeavy(metrics({ outer: 60 })), null);
    assert.equal(outerHeavy(metrics({ outer: 60.1 })), 'OUTER_HEAVY');
  });

  it('leftRightImbalance: the feet differ by over 15 points (15.0 is fine, 15.1 is not)', () => {
    assert.equal(leftRightImbalance(metrics({ leftRightDiff: 15 })), null);
    assert.equal(leftRightImbalance(metrics({ leftRightDiff: 15.1 })), 'LEFT_RIGHT_IMBALANCE');
  });

  it('frontRearImbalance: front and heel over 30 points apart, named by direction', () => {
    assert.equal(FSR_THRESHOLDS.frontRearMaxDiff, 30);
    assert.equal(frontRearImbalance(metrics({ front: 60, rear: 30 })), null);
    assert.equal(frontRearImbalance(metrics({ front: 60.1, rear: 30 })), 'FRONT_REAR_FORWARD');
    assert.equal(frontRearImbalance(metrics({ front: 20, rear: 50 })), null);
    assert.equal(frontRearImbalance(metrics({ front: 19.9, rear: 50 })), 'FRONT_REAR_BACKWARD');
    // Binary floating point must not move the boundary: 50.3 - 20.3 is 30, not 30.000000000000004.
    assert.equal(frontRearImbalance(metrics({ front: 20.3, rear: 50.3 })), null);
  });
});

describe('rules by stage', () => {
  it('DESCENT: front, heel, inner, outer, left-right', () => {
    assert.deepEqual(RULES_BY_STAGE.DESCENT, [frontHeavy, heelLight, innerHeavy, outerHeavy, leftRightImbalance]);
  });

  it('ASCENT: heel, inner, outer, front-rear, left-right (front alone is not judged)', () => {
    assert.deepEqual(RULES_BY_STAGE.ASCENT, [heelLight, innerHeavy, outerHeavy, frontRearImbalance, leftRightImbalance]);
    assert.equal(judge('ASCENT', metrics({ front: 45, rear: 50, heel: 50 })).status, 'GOOD');
  });

  it('UNKNOWN: only the stage-independent rules', () => {
    assert.deepEqual(RULES_BY_STAGE.UNKNOWN, [innerHeavy, outerHeavy, leftRightImbalance]);
    assert.equal(judge('UNKNOWN', metrics({ front: 80, heel: 10, rear: 10 })).status, 'GOOD');
  });
});

describe('judge', () => {
  it('is GOOD with one sentence when no rule fires', () => {
    assert.deepEqual(judge('DESCENT', metrics()), { status: 'GOOD', findings: [], sentences: [FSR_MESSAGES.GOOD] });
  });

  it('reproduces the seed example (front, inner, left-right) as BAD with its sentences in order', () => {
    const v = judge('DESCENT', metrics({ front: 48.3, rear: 52.1, heel: 52.1, inner: 62, outer: 55.5, leftRightDiff: 16 }));
    assert.equal(v.status, 'BAD');
    assert.deepEqual(v.findings, ['FRONT_HEAVY', 'INNER_HEAVY', 'LEFT_RIGHT_IMBALANCE']);
    assert.equal(v.sentences.join(' '), '체중이 앞쪽으로 쏠렸습니다. 뒤꿈치로 눌러주세요. 무릎이 안쪽으로 모이고 있습니다. 양발에 체중을 균등하게 분배하세요.');
  });

  it('says each sentence once', () => {
    const v = judge('ASCENT', metrics({ front: 70, rear: 20, heel: 20 }));
    assert.deepEqual(v.findings, ['HEEL_LIGHT', 'FRONT_REAR_FORWARD']);
    assert.equal(new Set(v.sentences).size, v.sentences.length);
  });
});
