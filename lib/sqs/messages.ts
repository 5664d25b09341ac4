import { z } from 'zod';

/** Body of the SQS message that carries a job: only its id; the job itself lives in MongoDB. */
export const jobMessageSchema = z.strictObject({
  jobId: z.string().min(1),
  queue: z.string().min(1),
});

export type JobMessage = z.infer<typeof jobMessageSchema>;

/** One message to send: the job it carries and how long SQS delays its delivery. */
export interface OutgoingJobMessage {
  jobId: string;
  queue: string;
  delaySeconds: number;
}
