// Reads a block and sends a transaction through viem against a devnet node.
// Usage: node viem-client.mjs <http-url>
import { createPublicClient, createWalletClient, defineChain, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const url = process.argv[2];
const chain = defineChain({
  id: 412346,
  name: 'devnet',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [url] } },
});
const transport = http(url);
const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
const account = privateKeyToAccount(
  '0xb6b15c8cb491557369f3c7d2c287b053eb229daa9c22138887752191c9520659',
);
const wallet = createWalletClient({ account, chain, transport });

const chainId = await publicClient.getChainId();
const genesis = await publicClient.getBlock({ blockTag: 'latest' });
const to = '0x00000000000000000000000000000000000000ab';
const hash = await wallet.sendTransaction({ to, value: 1234n });
const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
const balance = await publicClient.getBalance({ address: to });
const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber, includeTransactions: true });

console.log(JSON.stringify({
  chainId,
  genesisNumber: Number(genesis.number),
  status: receipt.status,
  balance: balance.toString(),
  blockTxs: block.transactions.length,
  txType: block.transactions[0].type,
}));
