// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title ClaimVault
/// @notice Locks tokens against a one-time claim id. The caller (a user's smart account) batches
/// `approve` + `claim` in one UserOperation, so a claim either moves the tokens or does nothing.
contract ClaimVault {
    using SafeERC20 for IERC20;

    struct Claim {
        address account;
        uint256 amount;
    }

    IERC20 public immutable token;

    /// @notice Who claimed each claim id and how much; a zero account means unused.
    mapping(bytes32 claimId => Claim) public claims;

    event Claimed(bytes32 indexed claimId, address indexed account, uint256 amount);

    error ClaimAlreadyUsed(bytes32 claimId);
    error ZeroAmount();

    constructor(IERC20 token_) {
        token = token_;
    }

    function used(bytes32 claimId) external view returns (bool) {
        return claims[claimId].account != address(0);
    }

    function claim(bytes32 claimId, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        if (claims[claimId].account != address(0)) revert ClaimAlreadyUsed(claimId);
        // Recorded before the external call so a re-entrant token cannot reuse the claim id.
        claims[claimId] = Claim({account: msg.sender, amount: amount});
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit Claimed(claimId, msg.sender, amount);
    }
}
