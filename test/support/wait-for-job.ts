import type { Job } from '../../sdk';

/** Polls a job through the SDK until its state is one of `states` or `timeoutMs` passes; returns the last view. */
export async function waitForJobState(client: { getJob(id: string): Promise<Job> }, id: string, states: string[], timeoutMs = 30_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client.getJob(id);
    if (states.includes(job.state) || Date.now() > deadline) {
      return job;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
