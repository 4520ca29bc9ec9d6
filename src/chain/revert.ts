/**
 * Reads the custom error (name and arguments) out of a failed viem contract call, so callers and tests act on
 * the error's data (`PuzzleTooWeak(nodeAddress, required, actual)`) rather than on message text.
 */
import { BaseError as ViemBaseError, ContractFunctionRevertedError } from 'viem';

export interface DecodedRevert {
  errorName: string;
  args: readonly unknown[];
}

/** The decoded custom error inside `error`, or undefined if it is not a decodable contract revert. */
export function decodeRevert(error: unknown): DecodedRevert | undefined {
  if (!(error instanceof ViemBaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError) || !reverted.data) return undefined;
  return { errorName: reverted.data.errorName, args: reverted.data.args ?? [] };
}
