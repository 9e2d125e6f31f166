import type { Brand } from '@squirret/contracts';

/** A room of any kind in the shared message log: `couple:<room id>` or `pt:<PT session id>`. */
export type RoomKey = Brand<string, 'RoomKey'>;

export const coupleRoomKey = (roomId: number): RoomKey => `couple:${roomId}` as RoomKey;
export const ptRoomKey = (ptSessionId: number): RoomKey => `pt:${ptSessionId}` as RoomKey;
export const asRoomKey = (v: string): RoomKey => v as RoomKey;
