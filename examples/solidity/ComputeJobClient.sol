// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.23;

// The generated interfaces of the Stylus contracts (`abi/`, written by `cargo stylus export-abi`).
// Each file declares its own `IAccessControl`/`IPausable`, so import only the names you use.
import {IBmeController} from "../../abi/IBmeController.sol";
import {IJobEscrow} from "../../abi/IJobEscrow.sol";
import {IJobMarket} from "../../abi/IJobMarket.sol";
import {IComputeToken} from "../../abi/IComputeToken.sol";

/// @title ComputeJobClient
/// @notice An example Solidity dApp on top of the compute-market Stylus contracts. It buys compute
///         credits for its users and opens, approves and cancels GPU jobs on their behalf, either
///         for a named provider or as a reverse auction in the JobMarket (providers bid down from a
///         maximum price; the user awards a bid, or anyone closes the auction for the lowest one).
/// @dev Who holds what:
///      - Credits live in the BmeController's ledger and cannot be transferred. The escrow locks the
///        credits of `msg.sender` — this contract — so the dApp buys every credit for itself
///        (`beneficiary = address(this)`) and keeps a per-user budget on top of that one balance.
///      - A user's budget rises by what their CT bought, falls by each job's `maxCost` when the job is
///        created (for an auction: `maxCost` at the maximum price), and gets back the unused part
///        (what was locked minus `cost`, or all of it for a cancelled, refunded or expired job) when
///        the job ends — an award below the maximum price unlocks the difference in the escrow at
///        once, and the dApp returns it with the rest when the job ends; `sync` books a job that someone else ended
///        (a `finalize` after the challenge window, a timeout, a cancel after the accept window).
///      - Invariant: Σ budgets + Σ maxCost of unsynced jobs = creditBalanceOf(this) + lockedCreditsOf(this)
///        + Σ cost of completed-but-unsynced jobs (what settlement consumed).
///      Disputes need a CT bond posted by the requester (this contract); they are left out of this
///      example for brevity.
contract ComputeJobClient {
    /// Job states of `IJobEscrow.job(id)`.
    uint8 internal constant COMPLETED = 4;
    uint8 internal constant CANCELLED = 5;
    uint8 internal constant REFUNDED = 7;
    uint8 internal constant EXPIRED = 8;

    IComputeToken public immutable token;
    IBmeController public immutable controller;
    IJobEscrow public immutable escrow;
    IJobMarket public immutable market;

    /// Credits (6 decimals, 1e6 = 1 USD) each user may still lock in new jobs.
    mapping(address user => uint256 credits) public budgetOf;
    /// The user who opened each job through this contract (zero: not ours).
    mapping(uint256 jobId => address user) public ownerOf;
    /// Credits locked for each of our jobs (its `maxCost`); zero once the job is booked as ended.
    mapping(uint256 jobId => uint256 credits) public lockedFor;

    event CreditsBought(address indexed user, uint256 tokens, uint256 credits);
    event JobOpened(address indexed user, uint256 indexed jobId, uint256 maxCost);
    event JobSettled(address indexed user, uint256 indexed jobId, uint256 cost, uint256 refunded);

    error NotJobOwner(uint256 jobId, address caller);
    error InsufficientBudget(address user, uint256 needed, uint256 available);
    error JobNotEnded(uint256 jobId, uint8 state);
    error UnknownJob(uint256 jobId);
    error TokenTransferFailed();

    constructor(IComputeToken token_, IBmeController controller_, IJobEscrow escrow_, IJobMarket market_) {
        token = token_;
        controller = controller_;
        escrow = escrow_;
        market = market_;
    }

    /// @notice Burns `tokenAmount` of the caller's CT (approved to this contract) for credits added to
    ///         the caller's budget. Reverts with the controller's `BmeSlippage` below `minCredits`.
    function buyCredits(uint256 tokenAmount, uint256 minCredits) external returns (uint256 credits) {
        if (!token.transferFrom(msg.sender, address(this), tokenAmount)) revert TokenTransferFailed();
        // The controller burns from its caller (`burnFrom`), so approve it for exactly this amount.
        if (!token.approve(address(controller), tokenAmount)) revert TokenTransferFailed();
        credits = controller.buyCredits(tokenAmount, minCredits, address(this));
        budgetOf[msg.sender] += credits;
        emit CreditsBought(msg.sender, tokenAmount, credits);
    }

    /// @notice Opens a job paid from the caller's budget; `provider` zero lets any eligible provider
    ///         accept it. The escrow locks `maxCost` of this contract's credits.
    function createJob(
        address provider,
        bytes32 specHash,
        uint32 gpuCount,
        uint64 maxDuration,
        uint256 pricePerGpuHour
    ) external returns (uint256 jobId) {
        jobId = escrow.createJob(provider, specHash, gpuCount, maxDuration, pricePerGpuHour);
        _open(jobId);
    }

    /// @notice Opens a reverse auction paid from the caller's budget: the escrow locks `maxCost` at
    ///         `maxPricePerGpuHour`; providers meeting `requirements` bid for `bidWindow` seconds.
    function openAuction(
        bytes32 specHash,
        uint32 gpuCount,
        uint64 maxDuration,
        uint256 maxPricePerGpuHour,
        uint64 bidWindow,
        IJobMarket.Requirements calldata requirements
    ) external returns (uint256 jobId) {
        jobId = market.createAuction(specHash, gpuCount, maxDuration, maxPricePerGpuHour, bidWindow, requirements);
        _open(jobId);
    }

    /// @notice Awards the caller's auction to `provider`'s bid during the bid window (the job starts).
    function award(uint256 jobId, address provider) external {
        _onlyOwner(jobId);
        market.awardBid(jobId, provider);
    }

    /// @notice Cancels the caller's auction before an award; the credits return to the budget.
    function cancelAuction(uint256 jobId) external {
        _onlyOwner(jobId);
        market.cancelAuction(jobId);
        _book(jobId);
    }

    /// Charges the caller's budget for the job just opened (its `maxCost`, all locked now).
    function _open(uint256 jobId) internal {
        (, uint256 maxCost,) = _job(jobId);
        uint256 available = budgetOf[msg.sender];
        if (maxCost > available) revert InsufficientBudget(msg.sender, maxCost, available);
        budgetOf[msg.sender] = available - maxCost;
        ownerOf[jobId] = msg.sender;
        lockedFor[jobId] = maxCost;
        emit JobOpened(msg.sender, jobId, maxCost);
    }

    /// @notice Approves the submitted result of the caller's job early: the provider is paid now.
    function approve(uint256 jobId) external {
        _onlyOwner(jobId);
        escrow.approveResult(jobId);
        _book(jobId);
    }

    /// @notice Cancels the caller's job while no provider has accepted it.
    function cancel(uint256 jobId) external {
        _onlyOwner(jobId);
        escrow.cancelJob(jobId);
        _book(jobId);
    }

    /// @notice Books a job that ended without this contract's help (finalised after the challenge
    ///         window, timed out, cancelled by anyone after the accept window). Callable by anyone.
    function sync(uint256 jobId) external {
        if (ownerOf[jobId] == address(0)) revert UnknownJob(jobId);
        _book(jobId);
    }

    function _onlyOwner(uint256 jobId) internal view {
        if (ownerOf[jobId] != msg.sender) revert NotJobOwner(jobId, msg.sender);
    }

    /// Returns the unused credits of an ended job to its owner's budget (once).
    function _book(uint256 jobId) internal {
        uint256 locked = lockedFor[jobId];
        if (locked == 0) return;
        (uint8 state,, uint256 cost) = _job(jobId);
        uint256 refunded;
        if (state == COMPLETED) {
            // `locked` may exceed the job's final maxCost: an auction's award unlocked the difference.
            refunded = locked - cost;
        } else if (state == CANCELLED || state == REFUNDED || state == EXPIRED) {
            cost = 0;
            refunded = locked;
        } else {
            revert JobNotEnded(jobId, state);
        }
        lockedFor[jobId] = 0;
        address user = ownerOf[jobId];
        budgetOf[user] += refunded;
        emit JobSettled(user, jobId, cost, refunded);
    }

    /// `(state, maxCost, cost)` of job `jobId`: words 0, 8 and 9 of `IJobEscrow.job`'s 13 return
    /// values. Destructuring all 13 with `escrow.job(jobId)` is "stack too deep" for the legacy
    /// code generator (it compiles with `viaIR`), so read the three words from the return data.
    function _job(uint256 jobId) internal view returns (uint8 state, uint256 maxCost, uint256 cost) {
        (bool ok, bytes memory ret) = address(escrow).staticcall(abi.encodeCall(IJobEscrow.job, (jobId)));
        if (!ok || ret.length < 13 * 32) revert UnknownJob(jobId);
        uint256 stateWord;
        assembly ("memory-safe") {
            stateWord := mload(add(ret, 32))
            maxCost := mload(add(ret, 288))
            cost := mload(add(ret, 320))
        }
        if (stateWord > type(uint8).max) revert UnknownJob(jobId);
        state = uint8(stateWord);
    }
}
