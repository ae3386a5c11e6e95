// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Receiver of the ERC-777-style callback of `MisbehavingERC20`.
interface ITokenTransferHook {
    function onTokenTransfer(address from, address to, uint256 amount) external;
}

/// @title MisbehavingERC20
/// @notice ERC-20 with switchable faults for adversarial tests: every transfer reverts, or returns false without
/// moving anything, or reverts for blocklisted senders/recipients (USDC-style), or calls a hook before moving the
/// balance (ERC-777 `tokensToSend`-style, so the hook can re-enter the caller). Never deployed outside test networks.
contract MisbehavingERC20 is ERC20 {
    error MisbehavingERC20_TransferReverted();
    error MisbehavingERC20_Blocked(address account);

    uint8 private immutable _decimals;
    /// @notice Every transfer / transferFrom reverts with `MisbehavingERC20_TransferReverted`.
    bool public revertTransfers;
    /// @notice Every transfer / transferFrom returns false and moves nothing.
    bool public returnFalse;
    /// @notice Blocklisted addresses can neither send nor receive.
    mapping(address account => bool) public blocked;
    /// @notice Called before every transfer between two non-zero addresses (address(0): no hook).
    ITokenTransferHook public hook;

    constructor(uint8 decimals_) ERC20("Misbehaving", "BAD") {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Anyone may mint: test-only token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setRevertTransfers(bool on) external {
        revertTransfers = on;
    }

    function setReturnFalse(bool on) external {
        returnFalse = on;
    }

    function setBlocked(address account, bool on) external {
        blocked[account] = on;
    }

    function setHook(ITokenTransferHook hook_) external {
        hook = hook_;
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (returnFalse) return false;
        return super.transfer(to, value);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (returnFalse) return false;
        return super.transferFrom(from, to, value);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            if (revertTransfers) revert MisbehavingERC20_TransferReverted();
            if (blocked[from]) revert MisbehavingERC20_Blocked(from);
            if (blocked[to]) revert MisbehavingERC20_Blocked(to);
            if (address(hook) != address(0)) hook.onTokenTransfer(from, to, value);
        }
        super._update(from, to, value);
    }
}
