// The skeleton over the picture: COCO-17 keypoints (normalised to the image) and, when the model
// gives them, the feet (heels and toes). The canvas carries data-points (points drawn last time)
// and data-drawn (frames drawn) so a test can see that something was drawn.

const MIN_SCORE = 0.3;
const EDGES = [
  ['left_shoulder', 'right_shoulder'], ['left_shoulder', 'left_elbow'], ['left_elbow', 'left_wrist'],
  ['right_shoulder', 'right_elbow'], ['right_elbow', 'right_wrist'], ['left_shoulder', 'left_hip'],
  ['right_shoulder', 'right_hip'], ['left_hip', 'right_hip'], ['left_hip', 'left_knee'], ['left_knee', 'left_ankle'],
  ['right_hip', 'right_knee'], ['right_knee', 'right_ankle'], ['nose', 'left_eye'], ['nose', 'right_eye'],
  ['left_eye', 'left_ear'], ['right_eye', 'right_ear'],
];
const FOOT_EDGES = [
  ['left_ankle', 'left_heel'], ['left_heel', 'left_foot_index'], ['left_ankle', 'left_foot_index'],
  ['right_ankle', 'right_heel'], ['right_heel', 'right_foot_index'], ['right_ankle', 'right_foot_index'],
];
/** Which joint's verdict colours which limb. */
const LIMB_JOINT = { left_hip: 'lumbar', right_hip: 'lumbar', left_knee: 'knee', right_knee: 'knee', left_ankle: 'ankle', right_ankle: 'ankle' };
const COLOUR = { good: '#22c55e', bad: '#ef4444', null: '#38bdf8' };

export function drawSkeleton(canvas, width, height, msg) {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, width, height);
  const points = new Map();
  for (const k of msg.keypoints ?? []) if (k.score >= MIN_SCORE) points.set(k.name, k);
  for (const f of msg.feet ?? []) if (f.score >= MIN_SCORE) points.set(f.name, f);
  const line = Math.max(2, Math.round(width / 160));
  ctx.lineWidth = line;
  ctx.lineCap = 'round';
  for (const [a, b] of [...EDGES, ...(msg.feet ? FOOT_EDGES : [])]) {
    const p = points.get(a);
    const q = points.get(b);
    if (!p || !q) continue;
    const joint = LIMB_JOINT[b] ?? LIMB_JOINT[a];
    ctx.strokeStyle = COLOUR[joint ? msg[joint] : 'null'] ?? COLOUR.null;
    ctx.beginPath();
    ctx.moveTo(p.x * width, p.y * height);
    ctx.lineTo(q.x * width, q.y * height);
    ctx.stroke();
  }
  for (const [name, p] of points) {
    ctx.fillStyle = name.includes('heel') || name.includes('foot_index') ? '#f59e0b' : '#fafafa';
    ctx.beginPath();
    ctx.arc(p.x * width, p.y * height, line * 1.6, 0, Math.PI * 2);
    ctx.fill();
  }
  canvas.dataset.points = String(points.size);
  canvas.dataset.feet = String((msg.feet ?? []).filter((f) => f.score >= MIN_SCORE).length);
  canvas.dataset.drawn = String(Number(canvas.dataset.drawn ?? 0) + 1);
}

export function clearSkeleton(canvas) {
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
  canvas.dataset.points = '0';
}
