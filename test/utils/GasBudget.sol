// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";

/// @notice Whether gas figures measured in a test are the real ones. Under `npm run coverage` every contract is
/// instrumented (a coverage probe per statement, about +40% gas and +100% code size), so gas budgets are not
/// asserted there; the runner sets `BULWARK_COVERAGE=1` for coverage runs only (scripts/run-tests.mjs). Every other
/// run, CI included, asserts them.
library GasBudget {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function measured() internal view returns (bool) {
        return !VM.envOr("BULWARK_COVERAGE", false);
    }
}
