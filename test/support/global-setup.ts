/** Starts the services the integration tests share. Filled in as the local stack lands. */
export default async function globalSetup(): Promise<void> {}
