import type { DateRange } from '../../src/core/dashboard/view';

/** What every renderer may read besides its tab's model: the range shown and the host's clock. */
export interface RenderEnv {
  range: DateRange;
  nowMs: number;
}
