// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice Test double of a smart-contract wallet (Safe-like, one signer): approves a hash when `signer` signed it
/// with ECDSA, and forwards arbitrary calls from `signer` so it can own accounts. Test networks only.
contract ERC1271WalletMock is IERC1271 {
    error ERC1271WalletMock_NotSigner(address caller);

    address public immutable signer;
    /// @notice When set, every signature is refused (a wallet that revoked its approval).
    bool public revoked;

    constructor(address signer_) {
        signer = signer_;
    }

    function setRevoked(bool revoked_) external {
        if (msg.sender != signer) revert ERC1271WalletMock_NotSigner(msg.sender);
        revoked = revoked_;
    }

    /// @notice Calls `target` with `data` as the wallet; bubbles reverts.
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        if (msg.sender != signer) revert ERC1271WalletMock_NotSigner(msg.sender);
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        if (!revoked && err == ECDSA.RecoverError.NoError && recovered == signer)
            return IERC1271.isValidSignature.selector;
        return 0xffffffff;
    }
}
