// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferToken
/// @notice ERC-20 that burns `feeBps` of every transfer (fee-on-transfer behaviour), to test that deposits measure
/// the balance delta. Never deployed outside local/test networks.
contract FeeOnTransferToken is ERC20 {
    uint8 private immutable _decimals;
    uint256 public feeBps;

    constructor(uint8 decimals_, uint256 feeBps_) ERC20("Fee token", "FOT") {
        _decimals = decimals_;
        feeBps = feeBps_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Changes the fee (0 makes the token behave plainly).
    function setFeeBps(uint256 feeBps_) external {
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0) || feeBps == 0) return super._update(from, to, value);
        uint256 fee = (value * feeBps) / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
