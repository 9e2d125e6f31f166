/** Why the parser gave up on a connection's byte stream. */
export const ParseErrorCode = {
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  TOO_MANY_HEADERS: 'TOO_MANY_HEADERS',
  HEADER_TOO_LONG: 'HEADER_TOO_LONG',
  INVALID_ESCAPE: 'INVALID_ESCAPE',
  INVALID_UTF8: 'INVALID_UTF8',
  MALFORMED_FRAME: 'MALFORMED_FRAME',
  MISSING_NUL: 'MISSING_NUL',
  INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
} as const;
export type ParseErrorCode = (typeof ParseErrorCode)[keyof typeof ParseErrorCode];

/** A fatal parse failure; `message` is short and safe to send back in an ERROR frame. */
export interface ParseError {
  readonly code: ParseErrorCode;
  readonly message: string;
}

const SIZE_CODES: ReadonlySet<ParseErrorCode> = new Set([
  ParseErrorCode.FRAME_TOO_LARGE,
  ParseErrorCode.BODY_TOO_LARGE,
  ParseErrorCode.TOO_MANY_HEADERS,
  ParseErrorCode.HEADER_TOO_LONG,
]);

/** True for the codes that mean "over a limit" (a gateway may close with 1009 for these). */
export function isSizeError(code: ParseErrorCode): boolean {
  return SIZE_CODES.has(code);
}

/** Builds a ParseError. */
export function parseError(code: ParseErrorCode, message: string): ParseError {
  return { code, message };
}
