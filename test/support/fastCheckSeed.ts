// Loaded by mocha before the unit tests (.mocharc.json): every fast-check property runs from a fixed seed,
// so a run's verdict does not depend on the run. The seed differs per calendar case (it is derived from the
// suite label, which names the pinned time and zone), so the nine runs of scripts/test-calendar.sh explore
// nine different samples; a failure prints its seed and path, and `FC_SEED=<n>` replays it.
// `FC_SEED=random` explores with a fresh seed (print it with the failure), for hunting, never in CI.
import fc from 'fast-check';

function seedFrom(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h | 0;
}

const fromEnv = process.env.FC_SEED;
if (fromEnv !== 'random') {
  const seed = fromEnv !== undefined && /^-?\d+$/.test(fromEnv) ? Number(fromEnv) : seedFrom(process.env.TEST_SUITE_LABEL ?? 'unit tests');
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
