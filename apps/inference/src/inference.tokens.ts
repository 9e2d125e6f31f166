/** Injection tokens of the inference data plane's named I/O. */
export const INF_BUS = Symbol('INF_BUS');
export const INF_CONFIG = Symbol('INF_CONFIG');
