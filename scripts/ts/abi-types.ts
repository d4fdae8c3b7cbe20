// Type-level checks that the generated abi/*.ts modules give viem (and so wagmi) users full types:
// argument and return types, output names, event arguments and custom errors. Nothing runs; a
// wrong type fails `tsc --noEmit -p scripts/ts/tsconfig.json`, which scripts/abi.sh runs (CI).
import {
  type Address,
  type ContractEventArgs,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type Hex,
  decodeErrorResult,
  encodeFunctionData,
} from "viem";
import { bmeControllerAbi } from "../../abi/IBmeController";
import { computeTokenAbi } from "../../abi/IComputeToken";
import { emissionsAbi } from "../../abi/IEmissions";
import { jobEscrowAbi } from "../../abi/IJobEscrow";
import { jobMarketAbi } from "../../abi/IJobMarket";
import { manualPriceFeedAbi } from "../../abi/IManualPriceFeed";
import { providerRegistryAbi } from "../../abi/IProviderRegistry";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

/** The output names of function `F` of `abi`, in order. */
type OutputNames<abi extends readonly unknown[], F extends string> = Extract<
  abi[number],
  { type: "function"; name: F }
> extends { outputs: infer O extends readonly { name: string }[] }
  ? { [K in keyof O]: O[K]["name"] }
  : never;

// ERC-5267: the domain with its standard output names and types.
expectType<
  Equal<
    ContractFunctionReturnType<typeof computeTokenAbi, "view", "eip712Domain">,
    readonly [Hex, string, string, bigint, Address, Hex, readonly bigint[]]
  >
>();
expectType<
  Equal<
    OutputNames<typeof computeTokenAbi, "eip712Domain">,
    readonly ["fields", "name", "version", "chainId", "verifyingContract", "salt", "extensions"]
  >
>();

// ERC-20 arguments and events.
expectType<Equal<ContractFunctionArgs<typeof computeTokenAbi, "nonpayable", "transfer">, readonly [Address, bigint]>>();
// (an event's filter arguments are its indexed inputs)
expectType<Equal<keyof ContractEventArgs<typeof computeTokenAbi, "Transfer">, "from" | "to">>();
encodeFunctionData({ abi: computeTokenAbi, functionName: "transfer", args: ["0x0000000000000000000000000000000000000001", 1n] });
// @ts-expect-error amounts are bigint, not string
encodeFunctionData({ abi: computeTokenAbi, functionName: "transfer", args: ["0x0000000000000000000000000000000000000001", "1"] });
// @ts-expect-error no such function
encodeFunctionData({ abi: computeTokenAbi, functionName: "transferAll", args: [] });
expectType<Equal<"mint" extends ContractFunctionName<typeof computeTokenAbi, "nonpayable"> ? true : false, true>>();

// ERC-6093 errors decode to their names and argument types.
const err = decodeErrorResult({ abi: computeTokenAbi, data: "0x" });
if (err.errorName === "ERC20InsufficientBalance") {
  expectType<Equal<typeof err.args, readonly [Address, bigint, bigint]>>();
}

// The escrow's job: thirteen typed, named values (ABI v2: the stake lock lives in the registry).
expectType<
  Equal<
    ContractFunctionReturnType<typeof jobEscrowAbi, "view", "job">,
    readonly [number, Address, Address, Hex, Hex, number, bigint, bigint, bigint, bigint, bigint, bigint, bigint]
  >
>();
expectType<
  Equal<
    OutputNames<typeof jobEscrowAbi, "job">,
    readonly [
      "state", "requester", "provider", "specHash", "resultHash", "gpuCount", "maxDuration",
      "pricePerGpuHour", "maxCost", "cost", "usedSeconds", "bond", "until",
    ]
  >
>();
expectType<Equal<OutputNames<typeof jobEscrowAbi, "contracts">, readonly ["controller", "registry", "token"]>>();

// Chainlink's AggregatorV3 names.
expectType<
  Equal<
    OutputNames<typeof manualPriceFeedAbi, "latestRoundData">,
    readonly ["roundId", "answer", "startedAt", "updatedAt", "answeredInRound"]
  >
>();
expectType<
  Equal<ContractFunctionReturnType<typeof manualPriceFeedAbi, "view", "latestRoundData">, readonly [bigint, bigint, bigint, bigint, bigint]>
>();

// The stats and the registry's provider record.
expectType<
  Equal<
    OutputNames<typeof bmeControllerAbi, "supplyStats">,
    readonly [
      "burned", "reminted", "mintedFromReserve", "retired", "owed", "iouFunded", "treasuryAccrued",
      "burnBudget", "outstandingCredits",
    ]
  >
>();
expectType<
  Equal<OutputNames<typeof emissionsAbi, "supplyStats">, readonly ["initialReserve", "reserve", "emitted", "drawn", "returned"]>
>();
expectType<Equal<OutputNames<typeof providerRegistryAbi, "providerInfo">[0], "registered">>();
expectType<
  Equal<ContractFunctionReturnType<typeof providerRegistryAbi, "view", "providerInfo">[0], boolean>
>();

// The job market: a requester's requirements are a struct (an object in viem), bids an array of them.
type Requirements = {
  gpuModel: Hex;
  minVramGiB: number;
  minSuccessBps: number;
  minCompletedJobs: bigint;
  minActiveStake: bigint;
  attestedOnly: boolean;
};
expectType<
  Equal<
    ContractFunctionArgs<typeof jobMarketAbi, "nonpayable", "createAuction">,
    readonly [Hex, number, bigint, bigint, bigint, Requirements]
  >
>();
expectType<
  Equal<
    ContractFunctionReturnType<typeof jobMarketAbi, "view", "bids">,
    readonly { provider: Address; pricePerGpuHour: bigint }[]
  >
>();
expectType<Equal<ContractFunctionReturnType<typeof jobMarketAbi, "view", "requirements">, Requirements>>();
expectType<
  Equal<OutputNames<typeof jobMarketAbi, "attestation">, readonly ["gpuModel", "gpuCount", "vramGiB", "evidenceHash", "expiresAt", "valid"]>
>();
