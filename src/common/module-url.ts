/**
 * Resolves a sibling module (a worker script, say) of the calling module in both
 * layouts we ship: TypeScript sources run directly by Node 24 (`.ts`) and the
 * compiled package in `dist/` (`.js`). `new URL('./worker.ts', import.meta.url)`
 * alone breaks in the compiled package, because the TypeScript compiler
 * rewrites import specifiers but not URL strings.
 */
export function siblingModuleUrl(callerUrl: string, baseName: string): URL {
  const extension = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${baseName}${extension}`, callerUrl);
}
