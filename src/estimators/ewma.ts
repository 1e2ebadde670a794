/**
 * A weighted exponentially-weighted moving average with zero-bias correction, after hls.js
 * `src/utils/ewma.ts`, Shaka's `lib/abr/ewma.js` and Sabre's `Ewma` (all the same formula):
 *
 *   alpha = 0.5 ^ (weight / halfLife)
 *   raw   = alpha * raw + (1 - alpha) * value
 *   estimate = raw / (1 - 0.5 ^ (totalWeight / halfLife))
 *
 * The estimate starts at 0 and the division removes that bias, so the first sample's value is the first
 * estimate whatever its weight. Weights and the half-life share one unit (seconds, samples...).
 */
import { invalidArgument } from '../core/errors.js';

export class Ewma {
  private raw = 0;
  private totalWeight_ = 0;

  /** @param halfLife weight after which a sample counts half; must be > 0. */
  constructor(readonly halfLife: number) {
    if (!(halfLife > 0) || !Number.isFinite(halfLife)) {
      throw invalidArgument('halfLife', `must be a finite number > 0, got ${String(halfLife)}`);
    }
  }

  /** Adds `value` with `weight` (> 0; a zero weight changes nothing). */
  sample(weight: number, value: number): void {
    if (!(weight > 0)) return;
    const alpha = Math.pow(0.5, weight / this.halfLife);
    this.raw = alpha * this.raw + (1 - alpha) * value;
    this.totalWeight_ += weight;
  }

  /** Sum of the weights sampled so far. */
  get totalWeight(): number {
    return this.totalWeight_;
  }

  /** The bias-corrected average, or null before any sample. */
  estimate(): number | null {
    if (this.totalWeight_ <= 0) return null;
    const zeroFactor = 1 - Math.pow(0.5, this.totalWeight_ / this.halfLife);
    return this.raw / zeroFactor;
  }

  reset(): void {
    this.raw = 0;
    this.totalWeight_ = 0;
  }
}
