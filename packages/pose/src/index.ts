export { type BackendInfo, type BackendName, type BackendPreference, initBackend, wasmBinaryDir } from './backend';
export { type BareLoopOptions, type BareLoopResult, type MsStats, msStats, runBareLoop } from './bare-loop';
export { type FrameSize, type GifFrames, type ImageFormat, type ModelInput, decodeGifFrames, decodeToModelInput, sniffImageFormat } from './decode';
export { type ImagePoseEstimate, type PoseEstimate, type PoseEstimatorOptions, PoseEstimator } from './estimator';
export { type ImageLimits, DEFAULT_IMAGE_LIMITS, resolveImageLimits } from './image-limits';
export { decodeMoveNetOutput } from './keypoints';
export { type Letterbox, computeLetterbox, inputToOriginal, originalToInput } from './letterbox';
export { type MoveNetFiles, MOVENET_INPUT_SIZE, humanModelsDir, loadMoveNet, locateMoveNetFiles, readMoveNetArtifacts } from './model-files';
export { type PoolWorkerInfo, type PoolWorkerState, type PoseResult, type PosePoolEvent, type PosePoolOptions, PosePool } from './pool';
export {
  type PoseErrorCode,
  type PoseErrorShape,
  POSE_ERROR_CODES,
  PoseError,
  isPoseError,
  isPoseErrorCode,
  toPoseErrorShape,
} from './pose.errors';
export { type Anchor, type AnchorLayout, type Detection, BLAZEPOSE_DETECTOR_ANCHORS, decodeBestDetection, generateAnchors } from './blazepose/anchors';
export {
  type BlazePoseEstimate,
  type BlazePoseImageEstimate,
  type BlazePoseOptions,
  type BlazePoseVariant,
  type PoseTrack,
  BLAZEPOSE_LANDMARK_INPUT,
  BlazePoseEstimator,
} from './blazepose/blazepose-estimator';
export { type RgbImage, cropToTensor } from './blazepose/crop';
export { type BlazePoseOutput, type PixelLandmark, COCO_FROM_BLAZEPOSE, FOOT_FROM_BLAZEPOSE, decodeLd3d, toBlazePoseOutput } from './blazepose/landmarks';
export { type PixelPoint, type Roi, cropToImage, imageToCrop, letterboxRoi, roiFromAlignmentPoints } from './blazepose/roi';
export { type DecodedRgb, decodeToRgb } from './decode';
export { type FramePose, type PoseModel, loadPoseModel } from './pose-model';
