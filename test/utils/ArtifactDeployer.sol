// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";

/// @notice `new Contract(args)` from a compiled artifact: `vm.getCode(name) ++ args`, deployed with CREATE. A
/// constructor revert propagates with its data, so `vm.expectRevert` sees the real custom error.
library ArtifactDeployer {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function deploy(string memory artifact, bytes memory args) internal returns (address a) {
        bytes memory code = abi.encodePacked(VM.getCode(artifact), args);
        assembly ("memory-safe") {
            a := create(0, add(code, 0x20), mload(code))
            if iszero(a) {
                returndatacopy(0, 0, returndatasize())
                revert(0, returndatasize())
            }
        }
    }
}
