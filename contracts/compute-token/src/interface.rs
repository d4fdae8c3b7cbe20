//! The token's Solidity-visible errors and events (docs/protocol.md "ComputeToken").
//!
//! Error names follow ERC-6093 (`ERC20…`), ERC-2612 (`ERC2612…`), OpenZeppelin's `ECDSA` library and
//! OpenZeppelin's `ERC20Capped`, so wallets and explorers decode them without a custom ABI; the shared
//! access-control errors come from `common::errors`.

pub use common::errors::{
    AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount, CommonError,
};

common::contract_errors! {
    /// Every error the token returns; each variant encodes as the Solidity custom error it wraps
    /// (unit tests compare the bytes with alloy's `abi_encode`).
    pub enum Error {
        /// `sender` holds `balance` base units (wei of CT), less than the `needed` amount.
        InsufficientBalance = ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
        /// The sending account is invalid (the zero address).
        InvalidSender = ERC20InvalidSender(address sender);
        /// The receiving account is invalid (the zero address).
        InvalidReceiver = ERC20InvalidReceiver(address receiver);
        /// `spender` may spend `allowance` base units of the owner's, less than the `needed` amount.
        InsufficientAllowance = ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
        /// The approving account is invalid (the zero address).
        InvalidApprover = ERC20InvalidApprover(address approver);
        /// The account being approved is invalid (the zero address).
        InvalidSpender = ERC20InvalidSpender(address spender);
        /// A mint would raise the total supply to `increasedSupply` base units, above `cap`
        /// (`MAX_SUPPLY`). `increasedSupply` is `type(uint256).max` if the sum overflows.
        ExceededCap = ERC20ExceededCap(uint256 increasedSupply, uint256 cap);
        /// The permit's `deadline` (unix seconds) has passed.
        ExpiredSignature = ERC2612ExpiredSignature(uint256 deadline);
        /// The permit was signed by `signer`, not by `owner`.
        InvalidSigner = ERC2612InvalidSigner(address signer, address owner);
        /// The signature does not recover to any address (malformed `v`, `r` or `s`).
        InvalidSignature = ECDSAInvalidSignature();
        /// The signature's `s` is in the upper half of the curve order (malleable, EIP-2).
        InvalidSignatureS = ECDSAInvalidSignatureS(bytes32 s);
        /// The constructor's `genesisSupply` exceeds `maxGenesisSupply` (650,000,000e18 base units),
        /// which keeps at least 350M CT of the cap for emissions.
        GenesisSupplyTooLarge = ComputeTokenGenesisSupplyTooLarge(uint256 genesisSupply, uint256 maxGenesisSupply);
        /// The constructor's `name` or `symbol` is `length` bytes long, more than `maxLength` (31).
        MetadataTooLong = ComputeTokenMetadataTooLong(uint256 length, uint256 maxLength);
    }
    common: [
        AccessControlUnauthorizedAccount,
        AccessControlBadConfirmation,
        AccessControlInvalidDefaultAdmin,
    ];
}

common::contract_events! {
    /// `value` base units moved from `from` to `to`; `from` is zero for a mint, `to` zero for a burn.
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// `owner` allowed `spender` to spend `value` base units (set, not added).
    event Approval(address indexed owner, address indexed spender, uint256 value);
}
