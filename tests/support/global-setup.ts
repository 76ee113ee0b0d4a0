// Placeholder: brings up the shared local stack once for every test file.
export default async function globalSetup(): Promise<void> {}
