/** The Korean sentences of the feedback (docs/contracts/ios-api.md §5.4 / 5.5 style), one per finding. */
export const FSR_MESSAGES = {
  FRONT_HEAVY: '체중이 앞쪽으로 쏠렸습니다. 뒤꿈치로 눌러주세요.',
  HEEL_LIGHT: '뒤꿈치에 체중이 부족합니다. 뒤꿈치를 좀 더 누르세요.',
  INNER_HEAVY: '무릎이 안쪽으로 모이고 있습니다.',
  OUTER_HEAVY: '체중이 발 바깥쪽으로 쏠렸습니다. 엄지발가락 쪽도 눌러주세요.',
  LEFT_RIGHT_IMBALANCE: '양발에 체중을 균등하게 분배하세요.',
  FRONT_REAR_FORWARD: '앞뒤 균형이 무너졌습니다. 발 전체로 밀어 올리세요.',
  FRONT_REAR_BACKWARD: '체중이 뒤꿈치에만 실렸습니다. 발 전체로 밀어 올리세요.',
  GOOD: '좋습니다. 양발 균형이 안정적입니다.',
} as const;

/** A finding of the FSR rules. */
export type FsrFinding = Exclude<keyof typeof FSR_MESSAGES, 'GOOD'>;

/** The sentence when nothing came in during the window. */
export const noDataMessage = (windowMs: number): string => `최근 ${Math.round(windowMs / 1000)}초 동안 깔창 데이터가 없습니다.`;

/** Sentences of the AI judgement (docs/contracts/ios-api.md §5.5: the knee sentence is the contract's own). */
export const AI_MESSAGES = {
  lumbar: '허리가 굽고 있습니다. 허리를 곧게 펴세요.',
  knee: '무릎이 안쪽으로 무너지고 있습니다. 정렬을 유지하세요.',
  ankle: '발목이 흔들리고 있습니다. 발바닥 전체로 지면을 누르세요.',
  GOOD: '자세가 좋습니다. 지금처럼 유지하세요.',
} as const;

/** The combined feedback's only sentence when neither the AI nor the insole has anything. */
export const NOTHING_YET_MESSAGE = '아직 분석할 AI 또는 깔창 데이터가 없습니다.';
