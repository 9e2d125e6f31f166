// Real clip (the side view) on movenet-lightning: one rep and the verdicts its label implies (see clip-verdicts.ts).
import { CLIP_GROUPS, describeClipsOn } from './clip-verdicts';

describeClipsOn('movenet-lightning', CLIP_GROUPS.c);
