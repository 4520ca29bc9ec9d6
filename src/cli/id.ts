export async function runId(): Promise<number> { throw new Error("not yet"); }
