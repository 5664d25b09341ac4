import type { JobDocument } from '../../lib/jobs/job';
import type { OutcomeWrite } from '../../lib/store/record-outcomes';
import { OutcomeBatch, type OutcomeWriter } from '../../lib/worker/outcome-batch';

function write(id: string): OutcomeWrite {
  return { job: { _id: id, version: 1 } as JobDocument, leaseToken: `lease-${id}`, now: new Date(0), transition: { kind: 'complete', result: id, retentionSeconds: 60, attempt: 1 } };
}

/** A writer that records each call and returns the job of every write but the ones listed as lost. */
function recordingWriter(lost: string[] = []) {
  const calls: string[][] = [];
  const writer: OutcomeWriter = async (writes) => {
    calls.push(writes.map((entry) => entry.job._id));
    return writes.map((entry) => (lost.includes(entry.job._id) ? null : entry.job));
  };
  return { calls, writer };
}

describe('OutcomeBatch', () => {
  it('writes once after every slot recorded or closed', async () => {
    const { calls, writer } = recordingWriter();
    const batch = new OutcomeBatch(writer, 3);
    const [a, b, c] = [batch.slot(), batch.slot(), batch.slot()];
    const first = a.record(write('a'));
    const second = c.record(write('c'));
    await Promise.resolve();
    expect(calls).toEqual([]);
    b.close();
    expect((await first)?._id).toBe('a');
    expect((await second)?._id).toBe('c');
    expect(calls).toEqual([['a', 'c']]);
  });

  it('returns null for a write whose lease was lost', async () => {
    const { writer } = recordingWriter(['b']);
    const batch = new OutcomeBatch(writer, 2);
    const [a, b] = [batch.slot(), batch.slot()];
    const results = await Promise.all([a.record(write('a')), b.record(write('b'))]);
    expect(results.map((job) => job?._id ?? null)).toEqual(['a', null]);
  });

  it('rejects every pending record when the write fails', async () => {
    const failure = new Error('bulk write failed');
    const batch = new OutcomeBatch(async () => {
      throw failure;
    }, 2);
    const [a, b] = [batch.slot(), batch.slot()];
    const results = await Promise.allSettled([a.record(write('a')), b.record(write('b'))]);
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });

  it('does not write when no slot recorded an outcome', async () => {
    const { calls, writer } = recordingWriter();
    const batch = new OutcomeBatch(writer, 2);
    batch.slot().close();
    batch.slot().close();
    await Promise.resolve();
    expect(calls).toEqual([]);
  });

  it('ignores close after record and a second close', async () => {
    const { calls, writer } = recordingWriter();
    const batch = new OutcomeBatch(writer, 2);
    const a = batch.slot();
    const b = batch.slot();
    const recorded = a.record(write('a'));
    a.close();
    a.close();
    expect(calls).toEqual([]);
    b.close();
    await recorded;
    expect(calls).toEqual([['a']]);
  });

  it('rejects a second record on one slot', async () => {
    const { writer } = recordingWriter();
    const batch = new OutcomeBatch(writer, 2);
    const slot = batch.slot();
    void slot.record(write('a'));
    await expect(slot.record(write('b'))).rejects.toThrow('at most one outcome');
  });

  it('throws when asked for more slots than records', () => {
    const batch = new OutcomeBatch(recordingWriter().writer, 1);
    batch.slot();
    expect(() => batch.slot()).toThrow('more slots requested');
  });
});
