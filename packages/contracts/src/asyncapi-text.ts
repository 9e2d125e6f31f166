import { stringify } from 'yaml';
import { buildAsyncApi } from './asyncapi';

/** The committed text of docs/asyncapi.yaml (stable: key order as built, no line folding). */
export const asyncApiYaml = (): string =>
  `# Generated from packages/contracts (src/asyncapi.ts): \`npm run asyncapi -w packages/contracts\`. Do not edit.\n${stringify(buildAsyncApi(), { lineWidth: 0, aliasDuplicateObjects: false })}`;
