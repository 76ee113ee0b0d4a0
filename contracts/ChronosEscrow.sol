// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ChronosToken} from "./ChronosToken.sol";

/// @title ChronosEscrow
/// @notice Holds a payer's tokens for a payee until the client releases them to the payee or refunds
/// them to the payer. The payer (a user's smart account) batches `approve` + `fund` in one
/// UserOperation, so funding either moves the tokens or does nothing.
///
/// One escrow contract serves every Chronos client. A client is its own ChronosToken, so escrows are
/// keyed by (token, escrowId): one client's ids live under its token and can be neither taken nor
/// moved through another client's token. Each escrow moves exactly once, Funded → Released | Refunded,
/// and its id is never funded again, so (token, escrowId) names one escrow for good.
///
/// Who may move an escrow:
/// - its payer's own account, at any time: Chronos controls that account on the client's behalf, and
///   after the deadline the payer may still take a refund or, having settled late, still release;
/// - anyone holding an arbiter signature from one of the token's authorized signers (the client's
///   signer key, the same that authorizes mints): a refund at any time (it only returns the payer's
///   funds, which the payer may take anyway), a release only before the deadline, because from the
///   deadline on the payer is owed its refund and only the payer's own consent may pay the payee.
///
/// @dev Any holder of a client's token can fund an escrow under that token, so an unused id can be
/// taken by one who sees it first (e.g. in the mempool); the client's arbiter can refund such an
/// escrow, and Chronos picks unpredictable ids and may retry with a fresh one.
contract ChronosEscrow {
    using SafeERC20 for IERC20;

    enum State {
        None,
        Funded,
        Released,
        Refunded
    }

    /// @notice What an arbiter signature authorizes; part of the signed hash, so one action's signature
    /// never serves the other.
    enum Action {
        Release,
        Refund
    }

    /// @dev payer, deadline and state share one storage slot.
    struct Escrow {
        address payer;
        uint64 deadline;
        State state;
        address payee;
        uint256 amount;
    }

    /// @notice Every escrow by its client's token and its id; State.None means the id was never funded.
    mapping(IERC20 token => mapping(bytes32 escrowId => Escrow)) public escrows;

    event Funded(
        IERC20 indexed token,
        bytes32 indexed escrowId,
        address indexed payer,
        address payee,
        uint256 amount,
        uint64 deadline
    );
    /// @param authorizedBy The payer, or the signer whose arbiter signature authorized the release.
    event Released(IERC20 indexed token, bytes32 indexed escrowId, address indexed payee, uint256 amount, address authorizedBy);
    /// @param authorizedBy The payer, or the signer whose arbiter signature authorized the refund.
    event Refunded(IERC20 indexed token, bytes32 indexed escrowId, address indexed payer, uint256 amount, address authorizedBy);

    error ZeroAmount();
    error ZeroPayee();
    error DeadlineNotInFuture(uint64 deadline, uint256 currentTimestamp);
    error EscrowAlreadyExists(IERC20 token, bytes32 escrowId);
    error EscrowNotFound(IERC20 token, bytes32 escrowId);
    error EscrowAlreadySettled(IERC20 token, bytes32 escrowId, State state);
    error CallerNotPayer(address caller, address payer);
    error SignedReleaseAfterDeadline(uint64 deadline, uint256 currentTimestamp);
    error UnauthorizedSigner(address recovered);

    /// @notice Pulls `amount` of `token` from the caller, who becomes the payer, into a new escrow.
    /// @param deadline Unix time (seconds) from which the arbiter can no longer release; must be in the future.
    function fund(IERC20 token, bytes32 escrowId, address payee, uint256 amount, uint64 deadline) external {
        if (amount == 0) revert ZeroAmount();
        if (payee == address(0)) revert ZeroPayee();
        if (deadline <= block.timestamp) revert DeadlineNotInFuture(deadline, block.timestamp);
        Escrow storage escrow = escrows[token][escrowId];
        if (escrow.state != State.None) revert EscrowAlreadyExists(token, escrowId);
        // Recorded before the external call so a re-entrant token cannot fund the same id twice.
        escrows[token][escrowId] = Escrow({
            payer: msg.sender,
            deadline: deadline,
            state: State.Funded,
            payee: payee,
            amount: amount
        });
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit Funded(token, escrowId, msg.sender, payee, amount, deadline);
    }

    /// @notice Pays the escrow to its payee; only its payer may call this one.
    function release(IERC20 token, bytes32 escrowId) external {
        Escrow storage escrow = _funded(token, escrowId);
        _requirePayer(escrow);
        _release(token, escrowId, escrow, msg.sender);
    }

    /// @notice Returns the escrow to its payer; only its payer may call this one.
    function refund(IERC20 token, bytes32 escrowId) external {
        Escrow storage escrow = _funded(token, escrowId);
        _requirePayer(escrow);
        _refund(token, escrowId, escrow, msg.sender);
    }

    /// @notice Pays the escrow to its payee on the client's arbiter signature, submitted by anyone, before the deadline.
    function releaseWithSignature(IERC20 token, bytes32 escrowId, bytes calldata signature) external {
        Escrow storage escrow = _funded(token, escrowId);
        if (block.timestamp >= escrow.deadline) revert SignedReleaseAfterDeadline(escrow.deadline, block.timestamp);
        _release(token, escrowId, escrow, _arbiter(token, escrowId, Action.Release, signature));
    }

    /// @notice Returns the escrow to its payer on the client's arbiter signature, submitted by anyone, at any time.
    function refundWithSignature(IERC20 token, bytes32 escrowId, bytes calldata signature) external {
        Escrow storage escrow = _funded(token, escrowId);
        _refund(token, escrowId, escrow, _arbiter(token, escrowId, Action.Refund, signature));
    }

    /// @notice The hash an arbiter signs (EIP-191, "\x19Ethereum Signed Message:\n32" ‖ hash) to authorize
    /// `action` on one escrow. Binding this contract, the chain id, the token, the id and the action stops
    /// a signature being replayed on another deployment or chain, for another client, escrow or action.
    function arbiterMessageHash(IERC20 token, bytes32 escrowId, Action action) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), block.chainid, token, escrowId, action));
    }

    function _funded(IERC20 token, bytes32 escrowId) private view returns (Escrow storage escrow) {
        escrow = escrows[token][escrowId];
        if (escrow.state == State.None) revert EscrowNotFound(token, escrowId);
        if (escrow.state != State.Funded) revert EscrowAlreadySettled(token, escrowId, escrow.state);
    }

    function _requirePayer(Escrow storage escrow) private view {
        if (msg.sender != escrow.payer) revert CallerNotPayer(msg.sender, escrow.payer);
    }

    /// @dev Reverts with OpenZeppelin's ECDSA errors for malformed or malleable signatures. The signer set is
    /// the token's own, so only the client that token belongs to can authorize moves of its escrows.
    function _arbiter(IERC20 token, bytes32 escrowId, Action action, bytes calldata signature) private view returns (address signer) {
        bytes32 digest = MessageHashUtils.toEthSignedMessageHash(arbiterMessageHash(token, escrowId, action));
        signer = ECDSA.recoverCalldata(digest, signature);
        if (!ChronosToken(address(token)).signers(signer)) revert UnauthorizedSigner(signer);
    }

    // State is written before the transfer so a re-entrant token cannot move the escrow a second time.
    function _release(IERC20 token, bytes32 escrowId, Escrow storage escrow, address authorizedBy) private {
        escrow.state = State.Released;
        token.safeTransfer(escrow.payee, escrow.amount);
        emit Released(token, escrowId, escrow.payee, escrow.amount, authorizedBy);
    }

    function _refund(IERC20 token, bytes32 escrowId, Escrow storage escrow, address authorizedBy) private {
        escrow.state = State.Refunded;
        token.safeTransfer(escrow.payer, escrow.amount);
        emit Refunded(token, escrowId, escrow.payer, escrow.amount, authorizedBy);
    }
}
