/** Branded identifiers: a SessionId cannot be passed where a DeviceId is expected. */
export type Brand<T, B extends string> = T & { readonly __brand: B };
export type SessionId = Brand<string, 'SessionId'>;
export type UserId = Brand<string, 'UserId'>;
export type DeviceId = Brand<string, 'DeviceId'>;
export type NodeId = Brand<string, 'NodeId'>;
export type RoomId = Brand<string, 'RoomId'>;

export const asSessionId = (v: string): SessionId => v as SessionId;
export const asUserId = (v: string): UserId => v as UserId;
export const asDeviceId = (v: string): DeviceId => v as DeviceId;
export const asNodeId = (v: string): NodeId => v as NodeId;
export const asRoomId = (v: string): RoomId => v as RoomId;
