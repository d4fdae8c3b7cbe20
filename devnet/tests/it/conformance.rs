//! Real-client conformance: alloy's provider deploys, calls, reads logs and receipts.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy_eips::{eip2718::Encodable2718, eip2930::AccessListItem};
use alloy_network::{EthereumWallet, TransactionBuilder, TxSignerSync};
use alloy_primitives::{address, b256, hex, Address, Bytes, TxKind, U256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::{BlockNumberOrTag, Filter, TransactionRequest};
use serde_json::json;

use crate::utils::{init_code, rpc, rpc_ok, start, RUNTIME};

#[tokio::test]
async fn alloy_deploy_call_logs_receipts_and_reverts() {
    let node = start().await;
    let signer = node.dev_signers()[1].clone();
    let from = signer.address();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer.clone()))
        .connect_http(node.url().parse().unwrap());

    assert_eq!(provider.get_chain_id().await.unwrap(), 412_346);
    assert_eq!(provider.get_block_number().await.unwrap(), 0);

    // Deploy from raw bytecode.
    let deploy = TransactionRequest::default().with_deploy_code(init_code());
    let receipt = provider
        .send_transaction(deploy)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    let contract = receipt.contract_address.unwrap();
    assert_eq!(receipt.block_number, Some(1));
    assert_eq!(receipt.from, from);
    assert!(receipt.effective_gas_price >= 100_000_000);
    assert_eq!(
        provider.get_code_at(contract).await.unwrap(),
        Bytes::from(hex::decode(RUNTIME).unwrap())
    );

    // Read: slot 0 is zero.
    let read = TransactionRequest::default()
        .to(contract)
        .input(vec![1u8].into());
    assert_eq!(
        provider.call(read.clone()).await.unwrap(),
        Bytes::from(vec![0u8; 32])
    );

    // Write: emits a log and bumps the counter.
    let bump = TransactionRequest::default().to(contract);
    let receipt = provider
        .send_transaction(bump)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    let logs = receipt.inner.logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].address(), contract);
    let topic = b256!("00000000000000000000000000000000000000000000000000000000000000aa");
    assert_eq!(logs[0].topics(), &[topic]);
    assert_eq!(
        logs[0].data().data.as_ref(),
        U256::from(1).to_be_bytes::<32>().as_slice()
    );
    assert!(receipt
        .inner
        .logs_bloom()
        .contains_input(alloy_primitives::BloomInput::Raw(contract.as_slice())));
    assert_eq!(receipt.inner.cumulative_gas_used(), receipt.gas_used);
    let mut expected = [0u8; 32];
    expected[31] = 1;
    assert_eq!(
        provider.call(read.clone()).await.unwrap(),
        Bytes::from(expected.to_vec())
    );
    // Storage and block/tag queries.
    assert_eq!(
        provider.get_storage_at(contract, U256::ZERO).await.unwrap(),
        U256::from(1)
    );
    assert_eq!(
        provider
            .get_storage_at(contract, U256::ZERO)
            .number(1)
            .await
            .unwrap(),
        U256::ZERO
    );

    // eth_getLogs by address and topic.
    let filter = Filter::new()
        .address(contract)
        .event_signature(topic)
        .from_block(0u64);
    let found = provider.get_logs(&filter).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].transaction_hash, Some(receipt.transaction_hash));
    let none = provider
        .get_logs(
            &Filter::new()
                .address(Address::repeat_byte(9))
                .from_block(0u64),
        )
        .await
        .unwrap();
    assert!(none.is_empty());

    // Reverts: code 3 with the revert bytes, from both call and estimateGas.
    let bad = TransactionRequest::default()
        .to(contract)
        .input(vec![2u8].into());
    let err = provider.call(bad.clone()).await.unwrap_err();
    let payload = err.as_error_resp().unwrap();
    assert_eq!(payload.code, 3);
    assert!(payload.message.contains("execution reverted"));
    assert_eq!(
        payload.as_revert_data().unwrap().as_ref(),
        hex::decode("deadbeef").unwrap()
    );
    let err = provider.estimate_gas(bad.from(from)).await.unwrap_err();
    assert_eq!(err.as_error_resp().unwrap().code, 3);

    // Blocks with and without full transactions.
    let block = provider
        .get_block_by_number(BlockNumberOrTag::Number(2))
        .full()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(block.transactions.len(), 1);
    assert!(block.transactions.as_transactions().is_some());
    let by_hash = provider
        .get_block_by_hash(block.header.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_hash.header.number, 2);
    let tx = provider
        .get_transaction_by_hash(receipt.transaction_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tx.block_number, Some(2));

    // Fees.
    let history = provider
        .get_fee_history(10, BlockNumberOrTag::Latest, &[20.0])
        .await
        .unwrap();
    assert_eq!(history.base_fee_per_gas.len(), 4);
    assert_eq!(provider.get_gas_price().await.unwrap(), 100_000_000);

    // Arbitrum receipt extras.
    let raw = rpc_ok(
        &node.url(),
        "eth_getTransactionReceipt",
        json!([receipt.transaction_hash]),
    )
    .await;
    assert_eq!(raw["gasUsedForL1"], "0x0");
    assert_eq!(raw["status"], "0x1");
}

#[tokio::test]
async fn raw_legacy_2930_and_1559_transactions() {
    let node = start().await;
    let signer = node.dev_signers()[2].clone();
    let url = node.url();
    let to = address!("00000000000000000000000000000000000000ff");
    let chain_id = 412_346;

    let mut legacy = TxLegacy {
        chain_id: Some(chain_id),
        nonce: 0,
        gas_price: 1_000_000_000,
        gas_limit: 21_000,
        to: TxKind::Call(to),
        value: U256::from(1),
        input: Bytes::new(),
    };
    let sig = signer.sign_transaction_sync(&mut legacy).unwrap();
    let env: TxEnvelope = legacy.into_signed(sig).into();
    rpc_ok(
        &url,
        "eth_sendRawTransaction",
        json!([hex::encode_prefixed(env.encoded_2718())]),
    )
    .await;

    let mut eip2930 = TxEip2930 {
        chain_id,
        nonce: 1,
        gas_price: 1_000_000_000,
        gas_limit: 30_000,
        to: TxKind::Call(to),
        value: U256::from(2),
        input: Bytes::new(),
        access_list: vec![AccessListItem {
            address: to,
            storage_keys: vec![Default::default()],
        }]
        .into(),
    };
    let sig = signer.sign_transaction_sync(&mut eip2930).unwrap();
    let env: TxEnvelope = eip2930.into_signed(sig).into();
    rpc_ok(
        &url,
        "eth_sendRawTransaction",
        json!([hex::encode_prefixed(env.encoded_2718())]),
    )
    .await;

    let mut eip1559 = TxEip1559 {
        chain_id,
        nonce: 2,
        gas_limit: 21_000,
        max_fee_per_gas: 200_000_000,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(to),
        value: U256::from(4),
        ..Default::default()
    };
    let sig = signer.sign_transaction_sync(&mut eip1559).unwrap();
    let env: TxEnvelope = eip1559.into_signed(sig).into();
    let hash = rpc_ok(
        &url,
        "eth_sendRawTransaction",
        json!([hex::encode_prefixed(env.encoded_2718())]),
    )
    .await;

    let balance = rpc_ok(&url, "eth_getBalance", json!([to, "latest"])).await;
    assert_eq!(balance, "0x7");
    let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["type"], "0x2");
    assert_eq!(receipt["effectiveGasPrice"], "0x5f5e101");
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x3");
    assert_eq!(
        rpc_ok(
            &url,
            "eth_getTransactionCount",
            json!([signer.address(), "pending"])
        )
        .await,
        "0x3"
    );
    // One param defaults to latest; syncing and net/web3 helpers.
    let call = rpc(&url, "eth_call", json!([{"to": to}])).await;
    assert_eq!(call["result"], "0x");
    assert_eq!(rpc_ok(&url, "eth_syncing", json!([])).await, false);
    assert_eq!(rpc_ok(&url, "net_version", json!([])).await, "412346");
    assert!(rpc_ok(&url, "web3_clientVersion", json!([]))
        .await
        .as_str()
        .unwrap()
        .starts_with("anvil/v1.0.0 (compute-market-devnet/"));
    assert_eq!(
        rpc_ok(&url, "eth_accounts", json!([]))
            .await
            .as_array()
            .unwrap()
            .len(),
        11
    );
}

#[tokio::test]
async fn call_state_overrides_and_block_tags() {
    let node = start().await;
    let url = node.url();
    let contract = address!("00000000000000000000000000000000000c0de0");
    let random = address!("1111111111111111111111111111111111111111");
    // Code override (what `cargo stylus check` does) plus a balance override paying 1 ETH.
    let resp = rpc(
        &url,
        "eth_call",
        json!([
            {"from": random, "to": contract, "value": "0xde0b6b3a7640000", "input": "0x01"},
            "latest",
            {random.to_string(): {"balance": "0xffffffffffffffffffffffffffffffffffff"}, contract.to_string(): {"code": format!("0x{RUNTIME}"), "stateDiff": {"0x0000000000000000000000000000000000000000000000000000000000000000": "0x0000000000000000000000000000000000000000000000000000000000000005"}}}
        ]),
    )
    .await;
    let mut expected = [0u8; 32];
    expected[31] = 5;
    assert_eq!(resp["result"], hex::encode_prefixed(expected), "{resp}");
    // Without the override the account has no code and no funds: value transfer fails.
    let resp = rpc(
        &url,
        "eth_call",
        json!([{"from": random, "to": contract, "value": "0x1"}, "latest"]),
    )
    .await;
    assert!(
        resp["error"]["message"]
            .as_str()
            .unwrap()
            .contains("insufficient funds"),
        "{resp}"
    );
    // Unknown future block.
    let resp = rpc(&url, "eth_getBalance", json!([random, "0x99"])).await;
    assert!(resp.get("error").is_some());
    // Earliest and by-hash block ids.
    rpc_ok(&url, "eth_getBalance", json!([random, "earliest"])).await;
    let genesis = rpc_ok(&url, "eth_getBlockByNumber", json!(["0x0", false])).await;
    rpc_ok(
        &url,
        "eth_getBalance",
        json!([random, {"blockHash": genesis["hash"]}]),
    )
    .await;
}

#[tokio::test]
async fn pre_eip155_create2_factory_transaction() {
    // The well-known keyless deployment of the deterministic CREATE2 factory, as deploy scripts
    // replay it: a legacy transaction without chain id. Like the Nitro dev node, this chain has the
    // factory from genesis, so the replay is accepted and mined but its CREATE collides (status 0)
    // and the factory's code stays the same.
    const RAW: &str = "0xf8a58085174876e800830186a08080b853604580600e600039806000f350fe7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf31ba02222222222222222222222222222222222222222222222222222222222222222a02222222222222222222222222222222222222222222222222222222222222222";
    let node = start().await;
    let url = node.url();
    let factory = "0x4e59b44847b379578588920ca78fbf26c0b4956c";
    let code_before = rpc_ok(&url, "eth_getCode", json!([factory, "0x0"])).await;
    assert!(
        code_before.as_str().unwrap().len() > 2,
        "predeployed at genesis"
    );
    let deployer = address!("3fab184622dc19b6109349b94811493bf2a45362");
    rpc_ok(
        &url,
        "anvil_setBalance",
        json!([deployer, "0x2386f26fc10000"]),
    )
    .await;
    let hash = rpc_ok(&url, "eth_sendRawTransaction", json!([RAW])).await;
    let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["from"], format!("{deployer:#x}"));
    assert_eq!(receipt["status"], "0x0", "the address is taken");
    let code = rpc_ok(&url, "eth_getCode", json!([factory, "latest"])).await;
    assert_eq!(code, code_before);
}

#[tokio::test]
async fn polling_filters() {
    let node = start().await;
    let url = node.url();
    let from = node.dev_accounts()[0];
    let blocks = rpc_ok(&url, "eth_newBlockFilter", json!([])).await;
    let logs = rpc_ok(
        &url,
        "eth_newFilter",
        json!([{"topics": [format!("0x{:064x}", 0xaa)]}]),
    )
    .await;
    let deploy = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "input": hex::encode_prefixed(init_code())}]),
    )
    .await;
    let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([deploy])).await;
    let contract = receipt["contractAddress"].clone();
    rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "to": contract}]),
    )
    .await;

    let changes = rpc_ok(&url, "eth_getFilterChanges", json!([blocks])).await;
    assert_eq!(changes.as_array().unwrap().len(), 2);
    assert_eq!(
        rpc_ok(&url, "eth_getFilterChanges", json!([blocks])).await,
        json!([])
    );
    let found = rpc_ok(&url, "eth_getFilterChanges", json!([logs])).await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["address"], contract);
    assert_eq!(
        rpc_ok(&url, "eth_getFilterChanges", json!([logs])).await,
        json!([])
    );
    assert_eq!(
        rpc_ok(&url, "eth_getFilterLogs", json!([logs]))
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        rpc_ok(&url, "eth_uninstallFilter", json!([logs])).await,
        true
    );
    assert_eq!(
        rpc_ok(&url, "eth_uninstallFilter", json!([logs])).await,
        false
    );
    let resp = rpc(&url, "eth_getFilterChanges", json!([logs])).await;
    assert!(resp.get("error").is_some());
}
