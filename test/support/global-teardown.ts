/** Stops the services that global-setup started. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.sluiceTestServices?.stop();
}
