/** Injection token of the node allocator. */
export const NODE_ALLOCATOR = Symbol('NODE_ALLOCATOR');
export type { NodeAllocator, LiveNode } from './node-registry';
