// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {IVolatilityOracle} from "../../contracts/interfaces/IVolatilityOracle.sol";
import {ISettlementOracle} from "../../contracts/interfaces/ISettlementOracle.sol";

/// @notice The deployed system as tests see it: each contract's interface plus its roles. Tests deploy the
/// contracts from their artifacts (`vm.getCode`, see `ArtifactDeployer`) and import only these interfaces, so a
/// test's compilation job does not carry the system's sources (solc-js runs out of memory on them).
interface IClearingHouseAdmin is IClearingHouse, IAccessControl {
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);
}

interface IChainlinkOracleAdmin is IChainlinkOracle, IAccessControl {
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);
    function RISK_ADMIN_ROLE() external view returns (bytes32);
    function GUARDIAN_ROLE() external view returns (bytes32);
}

interface IVolatilityOracleAdmin is IVolatilityOracle, IAccessControl {
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);
    function RISK_ADMIN_ROLE() external view returns (bytes32);
    function VOL_UPDATER_ROLE() external view returns (bytes32);
}

interface ISettlementOracleAdmin is ISettlementOracle, IAccessControl {
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);
    function RISK_ADMIN_ROLE() external view returns (bytes32);
}
