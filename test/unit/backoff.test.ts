import { computeBackoffMs, type RetryPolicy } from '../../lib/jobs/backoff';

const policy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 60_000 };

describe('computeBackoffMs', () => {
  it('doubles the ceiling with each attempt', () => {
    const upper = [1, 2, 3, 4, 5].map((attempt) => computeBackoffMs(attempt, policy, () => 0.999999));
    expect(upper).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('keeps at least half the ceiling as jitter floor', () => {
    const lower = [1, 2, 3, 4, 5].map((attempt) => computeBackoffMs(attempt, policy, () => 0));
    expect(lower).toEqual([500, 1_000, 2_000, 4_000, 8_000]);
  });

  it('caps the delay at maxDelayMs', () => {
    expect(computeBackoffMs(30, policy, () => 0.999999)).toBe(60_000);
    expect(computeBackoffMs(1_000, policy, () => 0)).toBe(30_000);
  });

  it('spreads retries of one attempt across the jitter range', () => {
    const samples = new Set(Array.from({ length: 50 }, () => computeBackoffMs(4, policy)));
    expect(samples.size).toBeGreaterThan(10);
    for (const sample of samples) {
      expect(sample).toBeGreaterThanOrEqual(4_000);
      expect(sample).toBeLessThanOrEqual(8_000);
    }
  });
});
