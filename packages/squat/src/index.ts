// Public API of @squirret/squat: the streaming analyzer, its result types and its pure building blocks.
// The evaluation tools (src/eval) read files and are deliberately not exported here.
export * from './analysis.types';
export { REP_POST_WINDOW_MS, SquatAnalyzer, type PendingRep, type SquatAnalyzerOptions, type SquatAnalyzerSnapshot } from './analyzer';
export { angleAt, angleFromVertical, distance, leanFromForeshortening, midpoint, toIsotropic, type Point } from './geometry';
export {
  DEFAULT_SMOOTHER_OPTIONS,
  KeypointSmoother,
  OneEuroFilter,
  type KeypointSmootherOptions,
  type OneEuroParams,
  type SmoothedPoint,
} from './smoothing';
export {
  UPRIGHT_KNEE_DEG,
  computeFeatures,
  detectView,
  frameLengths,
  type BodyReference,
  type FrameFeatures,
  type Pose,
  type SquatView,
} from './features';
export { DEFAULT_STAGE_OPTIONS, StageMachine, type RepTiming, type StageOptions, type StageUpdate } from './stage';
export { PENALTY, judgeFrame, judgeRep, type FrameJudgement, type RepJudgement } from './judge';
export { REP_FEATURE_NAMES, summarizeRep, type RepFeatureVector, type RepFrame } from './rep-features';
export { FITTED_MODEL } from './model/fitted-model';
export type { FittedModel, LiveThresholds } from './model/model.types';
export type { Classifier } from './model/classifier';
