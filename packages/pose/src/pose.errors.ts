/** Error codes of the pose feature; the edge (gateway, HTTP filter) maps them to wire codes. */
export const POSE_ERROR_CODES = [
  'INVALID_IMAGE',
  'IMAGE_TOO_LARGE',
  'QUEUE_FULL',
  'WORKER_CRASHED',
  'INFERENCE_TIMEOUT',
  'POOL_NOT_STARTED',
  'POOL_CLOSED',
  'MODEL_LOAD_FAILED',
  'INTERNAL',
] as const;
export type PoseErrorCode = (typeof POSE_ERROR_CODES)[number];

/** The plain form of a pose error: what crosses the worker boundary and what callers switch on. */
export interface PoseErrorShape {
  readonly code: PoseErrorCode;
  readonly message: string;
}

/** The one error type the pose package throws or rejects with; switch on `code`. */
export class PoseError extends Error implements PoseErrorShape {
  override readonly name = 'PoseError';
  constructor(
    readonly code: PoseErrorCode,
    message: string,
  ) {
    super(message);
  }

  toJSON(): PoseErrorShape {
    return { code: this.code, message: this.message };
  }
}

export function isPoseErrorCode(value: unknown): value is PoseErrorCode {
  return typeof value === 'string' && (POSE_ERROR_CODES as readonly string[]).includes(value);
}

export function isPoseError(value: unknown): value is PoseError {
  return value instanceof PoseError;
}

/** Reduces anything thrown to a PoseErrorShape; unknown failures become INTERNAL. */
export function toPoseErrorShape(error: unknown): PoseErrorShape {
  if (error instanceof PoseError) return error.toJSON();
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (isPoseErrorCode(code) && typeof message === 'string') return { code, message };
    if (typeof message === 'string') return { code: 'INTERNAL', message };
  }
  return { code: 'INTERNAL', message: String(error) };
}

export function fromPoseErrorShape(shape: PoseErrorShape): PoseError {
  return new PoseError(shape.code, shape.message);
}
