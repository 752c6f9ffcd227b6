// The Weights panel: for every tensor of the model in training, how big its weights are and how
// much each step moves them. The update / weight ratio ||Δw|| / ||w|| (the core's per-tensor
// norms after each evaluation's step) is drawn on a log scale over training, decayed tensors in
// blue and the others in orange; 1e-3 is the usual sign of a sensible learning rate in long runs, up to a few
// 1e-2 in runs of minutes (the lab's 5-minute recipe reads about 2e-2 at its peak learning rate).
import { drawLineChart, type Series } from './line-chart';
import type { RunRecord, TensorCurve } from './run-record';
import { onLiveRun } from './train-view';
import { followModel, panelShown } from './inside-view';
import { $ } from './dom';

const DECAYED = '#2f6fed', NOT_DECAYED = '#e8590c';
const HIGH = 5e-2, LOW = 1e-4;  // a ratio outside these is worth a warning
let run: RunRecord | null = null;

const ratio = (t: TensorCurve, i: number) => t.update[i][1] / Math.max(t.weight[i][1], 1e-30);
const exponent = (v: number) => `${(10 ** v).toExponential(0)}`;

// What the panel shows: the run, its length and how many evaluations of its tensors. The live record
// changes in place at every step, but its tensors only at evaluations: redrawn only then.
let drawn = '';
const shows = () => `${run?.id ?? ''} ${run?.steps ?? 0} ${run?.tensors?.[0]?.weight.length ?? 0}`;

function render() {
  drawn = shows();
  const tensors = run?.tensors ?? [];
  const measured = tensors.filter((t) => t.update.some(([, u]) => u > 0));
  const series: Series[] = measured.map((t) => ({
    color: t.decayed ? DECAYED : NOT_DECAYED, label: t.name,
    points: t.update.flatMap(([step], i) => (ratio(t, i) > 0 ? [[step, Math.log10(ratio(t, i))] as [number, number]] : [])),
  }));
  drawLineChart($('weights-chart'), { series, xMax: run?.steps ?? 1, xTitle: 'step', height: 300, format: exponent, legend: false,
    yTitle: 'update / weight (log scale)', references: [{ value: -3, label: 'usual', color: '#98a2b3' }],
    readout: $('weights-readout'), empty: 'The ratios appear at the first evaluation of a run.' });
  $('weights-body').replaceChildren(...tensors.map((t) => {
    const last = t.weight.length - 1, r = last >= 0 ? ratio(t, last) : 0;
    const tr = document.createElement('tr');
    if (t.matrix && (r > HIGH || (r > 0 && r < LOW))) tr.className = 'warn';
    const th = Object.assign(document.createElement('th'), { scope: 'row', textContent: t.name.replace(/^transformer\./, ''), title: t.name });
    tr.append(th, ...[t.size.toLocaleString('en'), t.muon ? 'Muon' : 'AdamW', t.decayed ? 'yes' : 'no', t.weight[last]?.[1].toFixed(3) ?? '–',
      t.grad[last]?.[1].toExponential(2) ?? '–', r > 0 ? r.toExponential(1) : '–'].map((text) => Object.assign(document.createElement('td'), { textContent: text })));
    return tr;
  }));
  $('weights-status').textContent = verdict(measured);
}

// One sentence on the learning rate from the middle ratio of the weight matrices at the last
// evaluation (the rule of thumb is for them; norm gains sit near 1 and move less).
function verdict(measured: TensorCurve[]): string {
  if (!run) return 'There is no run yet: train one and the tensors appear at its first evaluation.';
  const matrices = measured.filter((t) => t.matrix);
  if (!matrices.length) return 'The tensors appear at the run\'s first evaluation.';
  const ratios = matrices.map((t) => ratio(t, t.weight.length - 1)).sort((a, b) => a - b);
  const middle = ratios[Math.floor(ratios.length / 2)], text = `Middle update / weight ratio ${middle.toExponential(1)} over ` +
    `the ${ratios.length} weight matrices (lines: blue decayed, orange not decayed)`;
  if (middle > HIGH) return `${text}: far above 10⁻², the learning rate looks too high (each step changes the weights a lot).`;
  if (middle < LOW) return `${text}: far below 10⁻³, the learning rate looks too low (or training has settled).`;
  return `${text}: a learning rate in the usual range (about 10⁻³ in long runs, up to a few 10⁻² in short ones like these).`;
}

onLiveRun((r) => {
  run = r;
  if (panelShown() === 'weights' && shows() !== drawn) render();
});
followModel('weights', render);
