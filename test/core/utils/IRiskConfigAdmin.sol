// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IRiskConfig} from "../../../contracts/interfaces/IRiskConfig.sol";

/// @notice The deployed `RiskConfig` as tests see it: its interface, its roles and the bounds it enforces. Core tests
/// deploy it from its artifact (`vm.getCode`) so their compilation jobs stay inside solc-js's memory.
interface IRiskConfigAdmin is IRiskConfig, IAccessControl {
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);
    function RISK_ADMIN_ROLE() external view returns (bytes32);
    function MAX_GROUP_CAP() external view returns (uint256);
    function MAX_MIN_TRADE_SIZE() external view returns (uint256);
    function MAX_RATE() external view returns (int256);
    function MAX_VEGA_CAP() external view returns (uint256);
    function MAX_VEGA_SLOPE() external view returns (uint256);
    function MIN_HAIRCUT() external view returns (uint256);
    function MIN_HALT_SHOCK() external view returns (uint256);
    function MIN_IM_BASE() external view returns (uint256);
    function MIN_IM_FLOOR() external view returns (uint256);
    function MIN_IM_VEGA_CAP() external view returns (uint256);
    function MIN_IM_VEGA_SLOPE() external view returns (uint256);
    function MIN_LONG_HAIRCUT() external view returns (uint256);
    function MIN_MM_BASE() external view returns (uint256);
    function MIN_MM_FLOOR() external view returns (uint256);
    function MIN_MM_HAIRCUT() external view returns (uint256);
    function MIN_MM_VEGA_CAP() external view returns (uint256);
    function MIN_MM_VEGA_SLOPE() external view returns (uint256);
}
