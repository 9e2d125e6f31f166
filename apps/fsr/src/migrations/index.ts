import { FsrSamples1764200000000 } from './1764200000000-fsr-samples';

/** The fsr service's migrations, in order. */
export const FSR_MIGRATIONS = [FsrSamples1764200000000];
