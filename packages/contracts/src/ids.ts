/**
 * Branded identifiers, for ids that travel next to other strings of the same shape: a `UserId`
 * cannot be passed where a room key or a session id is expected. Only the brands a signature
 * uses are declared (the chat's RoomKey is branded in apps/chat/src/conversations/room-key.ts).
 */
export type Brand<T, B extends string> = T & { readonly __brand: B };
export type UserId = Brand<string, 'UserId'>;

export const asUserId = (v: string): UserId => v as UserId;
