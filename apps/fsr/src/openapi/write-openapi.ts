import 'reflect-metadata';
import { resolve } from 'node:path';
import { writeOpenApi } from '@squirret/server-kit';
import { buildFsrOpenApi } from './fsr-openapi';
import { createFsrOpenApiApp } from './openapi-app';

/** `npm run openapi -w apps/fsr`: regenerates the committed openapi.json. */
void writeOpenApi(createFsrOpenApiApp, buildFsrOpenApi, resolve(__dirname, '../../../openapi.json'));
