import 'reflect-metadata';
import { runMain, serve } from '@squirret/server-kit';
import { createControlPlaneApp } from './app';
import { loadControlPlaneConfig } from './config/control-plane.config';
import { createControlPlaneDeps } from './runtime';

/** Standalone control plane (distributed mode): DATABASE_URL is required, REDIS_URL recommended. */
runMain(async () => {
  // The one place this app reads the environment.
  const config = loadControlPlaneConfig(process.env);
  const { deps, close } = await createControlPlaneDeps(config);
  const app = await createControlPlaneApp(deps);
  await serve(app, { name: 'control-plane', host: config.HOST, port: config.PORT, onClose: close });
});
