// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title ClaimVault
/// @notice Locks tokens against a one-time claim id. The caller (a user's smart account) batches
/// `approve` + `claim` in one UserOperation, so a claim either moves the tokens or does nothing.
/// One vault serves every token (each Chronos client has its own ChronosToken), and claim ids are
/// keyed by the claimer: an account can only use up its own ids, never squat another account's.
contract ClaimVault {
    using SafeERC20 for IERC20;

    struct Claim {
        IERC20 token;
        uint256 amount;
    }

    /// @notice What each account claimed under each of its claim ids; a zero amount means unused.
    mapping(address account => mapping(bytes32 claimId => Claim)) public claims;

    event Claimed(bytes32 indexed claimId, address indexed account, IERC20 indexed token, uint256 amount);

    error ClaimAlreadyUsed(address account, bytes32 claimId);
    error ZeroAmount();

    function used(address account, bytes32 claimId) external view returns (bool) {
        return claims[account][claimId].amount != 0;
    }

    function claim(IERC20 token, bytes32 claimId, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Claim storage existing = claims[msg.sender][claimId];
        if (existing.amount != 0) revert ClaimAlreadyUsed(msg.sender, claimId);
        // Recorded before the external call so a re-entrant token cannot reuse the claim id.
        existing.token = token;
        existing.amount = amount;
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit Claimed(claimId, msg.sender, token, amount);
    }
}
