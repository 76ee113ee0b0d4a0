// SPDX-License-Identifier: GPL-3.0
pragma solidity ^0.8.24;

import {IEntryPoint} from "account-abstraction-v07/interfaces/IEntryPoint.sol";
import {VerifyingPaymaster} from "account-abstraction-v07/samples/VerifyingPaymaster.sol";

/// @title ChronosPaymaster
/// @notice The EntryPoint v0.7 verifying paymaster Chronos sponsors every operation with: it pays
/// for a UserOperation that carries, in its paymasterAndData, a signature of `verifyingSigner` over
/// the operation and a validity window (validUntil, validAfter). Chronos signs in-process with
/// PAYMASTER_SIGNER_KEY after its own checks (scopes, quotas, budgets). The logic is the audited
/// sample of eth-infinitism's account-abstraction 0.7, unchanged; the owner (the deployer) manages
/// the deposit it pays from (deposit, withdrawTo, getDeposit).
contract ChronosPaymaster is VerifyingPaymaster {
    constructor(IEntryPoint entryPoint_, address verifyingSigner_) VerifyingPaymaster(entryPoint_, verifyingSigner_) {}
}
