import { FsrSamples1764200000000 } from './1764200000000-fsr-samples';
import { FsrDevices1764300000000 } from './1764300000000-fsr-devices';
import { FsrJournalMarks1764400000000 } from './1764400000000-fsr-journal-marks';

/** The fsr service's migrations, in order. */
export const FSR_MIGRATIONS = [FsrSamples1764200000000, FsrDevices1764300000000, FsrJournalMarks1764400000000];
