//! Node errors and the one place where they become JSON-RPC error objects.

use alloy_primitives::{hex, Bytes};
use jsonrpsee::types::ErrorObjectOwned;

/// JSON-RPC error codes used by the node.
pub mod codes {
    /// Invalid method parameters (JSON-RPC 2.0).
    pub const INVALID_PARAMS: i32 = -32602;
    /// Internal error (JSON-RPC 2.0).
    pub const INTERNAL: i32 = -32603;
    /// geth's generic server error, used for rejected transactions.
    pub const SERVER: i32 = -32000;
    /// Resource not found (EIP-1474).
    pub const RESOURCE_NOT_FOUND: i32 = -32001;
    /// Limit exceeded (EIP-1474).
    pub const LIMIT_EXCEEDED: i32 = -32005;
    /// Execution reverted (geth, alloy and ethers decode revert data from it).
    pub const EXECUTION_REVERTED: i32 = 3;
}

/// Everything that can go wrong while serving a request.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The EVM reverted; carries the revert data.
    #[error("execution reverted{}", revert_reason_suffix(.0))]
    Reverted(Bytes),
    /// The EVM halted (out of gas, invalid opcode, ...).
    #[error("{0}")]
    Halted(String),
    /// A transaction was rejected by validation or the pool (geth wording).
    #[error("{0}")]
    TxRejected(String),
    /// Request parameters are malformed or inconsistent.
    #[error("{0}")]
    InvalidParams(String),
    /// A block, transaction or snapshot does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A query exceeds a node limit.
    #[error("{0}")]
    LimitExceeded(String),
    /// Unexpected internal failure.
    #[error("internal error: {0}")]
    Internal(String),
    /// The node has closed its state (it is shutting down): a change now could not be stored, so
    /// it is refused rather than acknowledged and lost.
    #[error("node is shutting down")]
    ShuttingDown,
}

/// Convenience alias for results inside the node.
pub type NodeResult<T> = Result<T, NodeError>;

fn revert_reason_suffix(data: &Bytes) -> String {
    match alloy_sol_types::decode_revert_reason(data) {
        Some(reason) if !data.is_empty() => {
            format!(": {}", reason.strip_prefix("revert: ").unwrap_or(&reason))
        }
        _ => String::new(),
    }
}

impl From<NodeError> for ErrorObjectOwned {
    fn from(err: NodeError) -> Self {
        let message = err.to_string();
        match err {
            NodeError::Reverted(data) => ErrorObjectOwned::owned(
                codes::EXECUTION_REVERTED,
                message,
                Some(hex::encode_prefixed(&data)),
            ),
            NodeError::Halted(_) | NodeError::TxRejected(_) | NodeError::ShuttingDown => {
                ErrorObjectOwned::owned(codes::SERVER, message, None::<()>)
            }
            NodeError::InvalidParams(_) => {
                ErrorObjectOwned::owned(codes::INVALID_PARAMS, message, None::<()>)
            }
            NodeError::NotFound(_) => {
                ErrorObjectOwned::owned(codes::RESOURCE_NOT_FOUND, message, None::<()>)
            }
            NodeError::LimitExceeded(_) => {
                ErrorObjectOwned::owned(codes::LIMIT_EXCEEDED, message, None::<()>)
            }
            NodeError::Internal(_) => ErrorObjectOwned::owned(codes::INTERNAL, message, None::<()>),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverts_map_to_code_3_with_data_and_reason() {
        // Error(string) "nope".
        let data = Bytes::from(
            alloy_primitives::hex::decode(
                "08c379a0\
                 0000000000000000000000000000000000000000000000000000000000000020\
                 0000000000000000000000000000000000000000000000000000000000000004\
                 6e6f706500000000000000000000000000000000000000000000000000000000",
            )
            .unwrap_or_default(),
        );
        let obj: ErrorObjectOwned = NodeError::Reverted(data.clone()).into();
        assert_eq!(obj.code(), 3);
        assert_eq!(obj.message(), "execution reverted: nope");
        assert_eq!(
            obj.data().map(|d| d.get().to_string()),
            Some(format!("\"{}\"", hex::encode_prefixed(&data)))
        );
        let obj: ErrorObjectOwned = NodeError::TxRejected("nonce too low".into()).into();
        assert_eq!(obj.code(), -32000);
    }
}
