// Real clips (bending forward and no depth) on movenet-lightning: one rep each and the verdicts their labels imply (see clip-verdicts.ts).
import { CLIP_GROUPS, describeClipsOn } from './clip-verdicts';

describeClipsOn('movenet-lightning', CLIP_GROUPS.a);
