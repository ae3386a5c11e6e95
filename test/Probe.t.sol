// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;
import {Test} from "forge-std/Test.sol";
contract ProbeTest is Test {
    function testFuzz_probe(uint256 x) public pure {
        assertEq(x, x);
    }
}
