import { AppError } from '@squirret/contracts';

/** The chat rooms' errors; statuses (and WebSocket close codes) come from the contracts' tables. */
export const RoomErrors = {
  notFound: (roomId: string | number) => new AppError('ROOM_NOT_FOUND', `room ${roomId} was not found`),
  notMember: (roomId: string | number) => new AppError('NOT_A_MEMBER', `you are not a member of room ${roomId}`),
  coupleMismatch: () => new AppError('NOT_A_MEMBER', 'couple_id does not match the couple of your token'),
  notTrainer: () => new AppError('NOT_A_TRAINER', 'only trainers may do this'),
  sessionEnded: (sessionId: number) => new AppError('CHAT_SESSION_ENDED', `session ${sessionId} has ended; reconnect to start a new one`),
  noQuestion: () => new AppError('NO_PENDING_QUESTION', 'there is no question to answer'),
  wrongSession: (sessionId: number) => new AppError('VALIDATION_ERROR', `session_id must be the current session (${sessionId})`),
};
