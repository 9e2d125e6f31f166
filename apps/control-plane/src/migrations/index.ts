import { InitialSchema1764100000000 } from './1764100000000-initial-schema';

/** The control plane's migrations, in order. */
export const CONTROL_PLANE_MIGRATIONS = [InitialSchema1764100000000];
