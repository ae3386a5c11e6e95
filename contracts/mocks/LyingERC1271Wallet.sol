// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title LyingERC1271Wallet
/// @notice A smart-contract wallet whose `isValidSignature` lies, for adversarial order tests: it approves every
/// hash, returns a wrong magic value, returns too few bytes, or reverts.
/// Never deployed outside test networks.
contract LyingERC1271Wallet is IERC1271 {
    enum Mode {
        ApproveAll,
        WrongMagic,
        ShortReturn,
        Revert
    }

    error LyingERC1271Wallet_Refused();

    Mode public mode;

    constructor(Mode mode_) {
        mode = mode_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32, bytes calldata) external view returns (bytes4) {
        Mode m = mode;
        if (m == Mode.ApproveAll) return IERC1271.isValidSignature.selector;
        if (m == Mode.WrongMagic) return 0xdeadbeef;
        if (m == Mode.ShortReturn) {
            // the magic value's 4 bytes alone, not ABI-padded to a word
            assembly ("memory-safe") {
                mstore(0, 0x1626ba7e00000000000000000000000000000000000000000000000000000000)
                return(0, 4)
            }
        }
        revert LyingERC1271Wallet_Refused();
    }
}
