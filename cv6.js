const { crossValidate, MODEL_SPEC } = require('/work/main/packages/squat/dist/eval/fit');
const fs = require('fs');
const samples = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const mode = process.argv[3];
const spec = { ...MODEL_SPEC, gbdtSeeds: [1, 2, 3, 4, 5, 6] };
const r = crossValidate(samples, spec, mode);
console.log(JSON.stringify({ mode, seeds: 6, acc: +r.accuracy.toFixed(4), perClass: r.perClass }));
r.confusion.forEach(row => console.log('  ' + row.join(' ')));
fs.writeFileSync(process.argv[4], JSON.stringify(r.outOfFold));
