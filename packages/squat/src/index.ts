// Public API of @squirret/squat: the streaming analyzer, its result types, its pure building blocks
// and the inference of the fitted models. Fitting, datasets and evaluation live in packages/squat-lab.
export * from './analysis.types';
export {
  ASPECT_REANCHOR_TOLERANCE,
  REP_POST_WINDOW_MS,
  SquatAnalyzer,
  type PendingRep,
  type SquatAnalyzerOptions,
  type SquatAnalyzerSnapshot,
} from './analyzer';
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
  footLengths,
  frameLengths,
  type BodyReference,
  type FeetPose,
  type FootLengths,
  type FrameFeatures,
  type Pose,
  type SquatView,
} from './features';
export { DEFAULT_STAGE_OPTIONS, StageMachine, type RepTiming, type StageOptions, type StageUpdate } from './stage';
export {
  FAULT_CLASSES,
  PENALTY,
  alignFeatures,
  calibrate,
  confidenceScore,
  featureGetter,
  judgeFrame,
  judgeRep,
  judgeRepWithProbabilities,
  jointFaultProbability,
  type FrameJudgement,
  type RepJudgement,
} from './judge';
export {
  BLAZEPOSE_FEATURE_NAMES,
  BODY_SERIES,
  FOOT_SERIES,
  MOVENET_FEATURE_NAMES,
  REP_FEATURE_NAMES,
  REP_POINTS,
  REP_SERIES,
  summarizeRep,
  type RepFeatureVector,
  type RepFrame,
} from './rep-features';
export { EXPECTED_FEATURE_NAMES, MODELS_DIR, ModelMismatchError, checkModel, loadModelFile, shippedModel, shippedModels } from './model/load';
export { CONFIDENCE_JOINTS, type Calibration, type ConfidenceJoint, type FittedModel, type LiveThresholds, type ModelPose } from './model/model.types';
export { predictProba, type Classifier, type EnsembleModel } from './model/classifier';
export { gbdtPredictProba, gbdtScores, isMissing, softmax, treeValue, type FeatureRow, type GbdtModel, type GbdtTree } from './model/gbdt';
export { mlpPredictProba, standardize, type MlpModel } from './model/mlp';
export { forestPredictProba, type ForestModel, type ForestTree } from './model/forest';
export { KNN_QUANT, knnPredictProba, quantize, type KnnModel } from './model/knn';
export { gaussian, seededRandom } from './random';
