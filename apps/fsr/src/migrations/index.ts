import { FsrSamples1764200000000 } from './1764200000000-fsr-samples';
import { FsrDevices1764300000000 } from './1764300000000-fsr-devices';

/** The fsr service's migrations, in order. */
export const FSR_MIGRATIONS = [FsrSamples1764200000000, FsrDevices1764300000000];
