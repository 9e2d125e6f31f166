export * from './config/control-plane.config';
export * from './control-plane.module';
export * from './runtime';
export * from './app';
export * from './openapi/build-openapi';
export * from './control-plane.metrics';
export * from './sessions/sessions.fast-route';
