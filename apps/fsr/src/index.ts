export * from './config/fsr.config';
export * from './fsr.module';
