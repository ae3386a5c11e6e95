// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITokenTransferHook} from "./MisbehavingERC20.sol";

/// @title ReentrantTokenHook
/// @notice An attacker's ERC-777-style hook: on the token's callback it calls `reentryTarget` with the armed calldata
/// (e.g. the clearing house's `deposit` or `withdraw`) and bubbles any revert, so a reentrancy guard's error surfaces
/// in the outer call. Fires once per arming. Never deployed outside test networks.
contract ReentrantTokenHook is ITokenTransferHook {
    address public reentryTarget;
    bytes public payload;
    bool public armed;

    /// @notice Arms the hook: the next token transfer calls `target_` with `payload_`.
    function arm(address target_, bytes calldata payload_) external {
        reentryTarget = target_;
        payload = payload_;
        armed = true;
    }

    function onTokenTransfer(address, address, uint256) external {
        if (!armed) return;
        armed = false;
        (bool ok, bytes memory result) = reentryTarget.call(payload);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }
}
