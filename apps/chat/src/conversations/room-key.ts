import type { Brand } from '@squirret/contracts';

/** A room of any kind in the shared message log: `couple:<room id>` or `pt:<PT session id>`. */
export type RoomKey = Brand<string, 'RoomKey'>;

const COUPLE = 'couple:';
const PT = 'pt:';

export const coupleRoomKey = (roomId: number): RoomKey => `${COUPLE}${roomId}` as RoomKey;
export const ptRoomKey = (ptSessionId: number): RoomKey => `${PT}${ptSessionId}` as RoomKey;
export const asRoomKey = (v: string): RoomKey => v as RoomKey;
/** The id part of any room key (`couple:7` → `7`). */
export const roomKeyIdOf = (key: string): string => key.slice(key.indexOf(':') + 1);
/** The couple room id of a couple room's key, undefined for any other kind. */
export const coupleRoomIdOf = (key: string): number | undefined => (key.startsWith(COUPLE) ? Number(key.slice(COUPLE.length)) : undefined);
