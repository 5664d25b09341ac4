import { retryDelayMs } from '../../localstack/event-source/backoff';
import { ProgressReporter, type ProgressLevel } from '../../localstack/event-source/progress';

describe('retryDelayMs', () => {
  it('doubles from 500 ms up to 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(retryDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });
});

describe('ProgressReporter', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('counts repeated errors instead of printing them', () => {
    jest.useFakeTimers({ now: 0 });
    const lines: Array<[string, ProgressLevel]> = [];
    const reporter = new ProgressReporter((line, level) => lines.push([line, level]));

    reporter.error('receive:q', 'receive failed');
    reporter.error('receive:q', 'receive failed');
    reporter.error('receive:q', 'receive failed');
    reporter.error('invoke:f', 'invoke failed');
    jest.setSystemTime(30_000);
    reporter.error('receive:q', 'receive failed');

    expect(lines).toEqual([
      ['receive failed', 'error'],
      ['invoke failed', 'error'],
      ['receive failed (2 more like it in the last 30 s)', 'error'],
    ]);
  });

  it('prints at once after a reset', () => {
    const lines: string[] = [];
    const reporter = new ProgressReporter((line) => lines.push(line));

    reporter.error('receive:q', 'first');
    reporter.reset('receive:q');
    reporter.error('receive:q', 'second');

    expect(lines).toEqual(['first', 'second']);
  });

  it('keeps reporting after the listener throws', () => {
    const lines: string[] = [];
    const reporter = new ProgressReporter((line) => {
      if (lines.push(line) === 1) {
        throw new Error('listener bug');
      }
    });

    reporter.info('first');
    reporter.error('invoke:f', 'second');

    expect(lines).toEqual(['first', 'second']);
  });
});
