import { escapeHeaderText } from './escape';
import { header, isEscapeExempt, type StompFrame } from './frame';

/** Options of `serializeFrame`. */
export interface SerializeOptions {
  /** Escape header names and values (STOMP 1.1/1.2). Off for a 1.0 peer. CONNECT/CONNECTED never are. */
  readonly escapeHeaders?: boolean;
}

const FORBIDDEN_RAW = /[\r\n]/;

/**
 * Serializes a frame with LF line endings and a NUL terminator. Adds `content-length` (in bytes)
 * when the body is not empty and none is given, so a body may hold NULs.
 * Throws when an unescaped header (CONNECT/CONNECTED or 1.0) holds a CR/LF: that would forge lines.
 */
export function serializeFrame(frame: StompFrame, options: SerializeOptions = {}): Buffer {
  const escape = (options.escapeHeaders ?? true) && !isEscapeExempt(frame.command);
  const lines: string[] = [frame.command];
  for (const [name, value] of frame.headers) {
    if (escape) {
      lines.push(`${escapeHeaderText(name)}:${escapeHeaderText(value)}`);
      continue;
    }
    if (FORBIDDEN_RAW.test(name) || FORBIDDEN_RAW.test(value) || name.includes(':')) {
      throw new RangeError(`header ${JSON.stringify(name)} cannot be sent unescaped in ${frame.command}`);
    }
    lines.push(`${name}:${value}`);
  }
  if (frame.body.length > 0 && header(frame, 'content-length') === undefined) {
    lines.push(`content-length:${frame.body.length}`);
  }
  const head = Buffer.from(`${lines.join('\n')}\n\n`, 'utf8');
  return Buffer.concat([head, frame.body, NUL_BYTE]);
}

const NUL_BYTE = Buffer.from([0]);
