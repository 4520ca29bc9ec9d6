// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ReentrancyAttacker — test-only: re-enters a target from its receive() (src/chain/*.test.ts)
/// @notice `execute` forwards a call to the target (e.g. FeeEscrow.withdraw); when ETH arrives, receive() replays
/// `reenterData` once against the same target and records whether that inner call succeeded and what it returned,
/// without reverting, so the outer call completes and the test can read the outcome.
contract ReentrancyAttacker {
    address public target;
    bytes public reenterData;
    bool public attempted;
    bool public reentrySucceeded;
    bytes public reentryReturnData;
    uint256 public received;

    function setTarget(address target_, bytes calldata reenterData_) external {
        target = target_;
        reenterData = reenterData_;
        attempted = false;
    }

    function execute(bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly { revert(add(ret, 32), mload(ret)) }
        }
        return ret;
    }

    receive() external payable {
        received += msg.value;
        if (attempted) return;
        attempted = true;
        (bool ok, bytes memory ret) = target.call(reenterData);
        reentrySucceeded = ok;
        reentryReturnData = ret;
    }
}
