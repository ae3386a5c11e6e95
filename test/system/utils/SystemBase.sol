// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AccountId, SeriesId} from "../../../contracts/types/Types.sol";
import {SeriesIdLib} from "../../../contracts/libraries/SeriesIdLib.sol";
import {UnderlyingParams, RiskParams} from "../../../contracts/interfaces/IRiskConfig.sol";
import {FeedParams} from "../../../contracts/interfaces/IChainlinkOracle.sol";
import {IVolatilityOracle} from "../../../contracts/interfaces/IVolatilityOracle.sol";
import {ISequencerGuard} from "../../../contracts/interfaces/ISequencerGuard.sol";
import {IOptionExchange} from "../../../contracts/interfaces/IOptionExchange.sol";
import {ILiquidationModule, AuctionParams} from "../../../contracts/interfaces/ILiquidationModule.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {
    IClearingHouseAdmin,
    IChainlinkOracleAdmin,
    IVolatilityOracleAdmin,
    ISettlementOracleAdmin
} from "../../utils/SystemInterfaces.sol";
import {IRiskConfigAdmin} from "../../core/utils/IRiskConfigAdmin.sol";
import {ArtifactDeployer} from "../../utils/ArtifactDeployer.sol";
import {TestConfig} from "../../utils/TestConfig.sol";
import {MockAggregator} from "../../../contracts/mocks/MockAggregator.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";

/// @notice The OpenZeppelin `TimelockController` as the system tests drive it (deployed from its artifact).
interface ITimelock {
    function getMinDelay() external view returns (uint256);
    function schedule(
        address target,
        uint256 value,
        bytes calldata data,
        bytes32 predecessor,
        bytes32 salt,
        uint256 delay
    ) external;
    function execute(
        address target,
        uint256 value,
        bytes calldata payload,
        bytes32 predecessor,
        bytes32 salt
    ) external payable;
    function isOperationDone(bytes32 id) external view returns (bool);
    function hashOperation(
        address target,
        uint256 value,
        bytes calldata data,
        bytes32 predecessor,
        bytes32 salt
    ) external pure returns (bytes32);
}

/// @notice The whole system wired as deploy/system.ts wires it on a local network (deploy/networks/local.ts): mock
/// USDC (6), WETH (18) and WBTC (8), 8-decimal ETH and BTC feeds with a mocked L2 sequencer uptime feed (grace 1 h),
/// ChainlinkOracle, VolatilityOracle, SettlementOracle (fallback 6 h, manual 3 d), RiskConfig, ClearingHouse,
/// OptionExchange (fees 3/5 bps, premium cap 12.5%, OI caps 10,000 ETH / 500 BTC), LiquidationModule (local auction
/// parameters), then the hand-over: an OpenZeppelin TimelockController (delay 60 s, `governor` proposer and executor,
/// no timelock admin) takes DEFAULT_ADMIN_ROLE and RISK_ADMIN_ROLE of every contract (the clearing house has only the
/// former) and the deployer renounces both; `guardian` holds GUARDIAN_ROLE and `volUpdater` VOL_UPDATER_ROLE. The fee
/// collector owns both the fee account (1) and the insurance account (2), as deploy/system.ts passes it for both.
abstract contract SystemBase is Test {
    uint16 internal constant ETH = 1;
    uint16 internal constant BTC = 2;
    uint256 internal constant WAD = 1e18;
    uint256 internal constant T0 = 1_767_225_600; // 2026-01-01 00:00 UTC
    uint32 internal constant EXPIRY_OFFSET = 8 hours;
    uint256 internal constant GRACE = 1 hours;
    uint256 internal constant TIMELOCK_DELAY = 60;
    bytes32 internal constant DEFAULT_ADMIN = 0x00;
    bytes32 internal constant RISK_ADMIN = keccak256("RISK_ADMIN_ROLE");
    bytes32 internal constant GUARDIAN = keccak256("GUARDIAN_ROLE");
    bytes32 internal constant VOL_UPDATER = keccak256("VOL_UPDATER_ROLE");

    address internal deployer = makeAddr("deployer");
    address internal governor = makeAddr("governor"); // the timelock's proposer and executor (the owner multisig)
    address internal guardian = makeAddr("guardian");
    address internal volUpdater = makeAddr("volUpdater");
    address internal feeCollector = makeAddr("feeCollector");

    MockERC20 internal usdc;
    MockERC20 internal weth;
    MockERC20 internal wbtc;
    MockAggregator internal ethFeed;
    MockAggregator internal btcFeed;
    MockAggregator internal seqFeed;
    ISequencerGuard internal guard;
    IChainlinkOracleAdmin internal oracle;
    IVolatilityOracleAdmin internal volOracle;
    ISettlementOracleAdmin internal settlement;
    IRiskConfigAdmin internal risk;
    IClearingHouseAdmin internal ch;
    IOptionExchange internal exchange;
    ILiquidationModule internal liq;
    ITimelock internal timelock;

    function setUp() public virtual {
        vm.warp(T0);
        usdc = new MockERC20("USDC", "USDC", 6);
        weth = new MockERC20("WETH", "WETH", 18);
        wbtc = new MockERC20("WBTC", "WBTC", 8);
        ethFeed = new MockAggregator(8, "feed.ETH");
        btcFeed = new MockAggregator(8, "feed.BTC");
        // confirmations + 1 identical rounds: the market starts Active
        ethFeed.pushRound(3000e8, block.timestamp);
        ethFeed.pushRound(3000e8, block.timestamp);
        btcFeed.pushRound(60_000e8, block.timestamp);
        btcFeed.pushRound(60_000e8, block.timestamp);
        seqFeed = new MockAggregator(0, "sequencer uptime");
        seqFeed.setSequencerStatus(false, block.timestamp - GRACE - 1); // up since before the grace period

        guard = ISequencerGuard(
            ArtifactDeployer.deploy("SequencerGuard.sol:SequencerGuard", abi.encode(seqFeed, GRACE))
        );
        oracle = IChainlinkOracleAdmin(
            ArtifactDeployer.deploy("ChainlinkOracle.sol:ChainlinkOracle", abi.encode(deployer, guard))
        );
        volOracle = IVolatilityOracleAdmin(
            ArtifactDeployer.deploy("VolatilityOracle.sol:VolatilityOracle", abi.encode(deployer))
        );
        settlement = ISettlementOracleAdmin(
            ArtifactDeployer.deploy(
                "SettlementOracle.sol:SettlementOracle",
                abi.encode(oracle, deployer, uint32(6 hours), uint32(3 days))
            )
        );
        risk = IRiskConfigAdmin(
            ArtifactDeployer.deploy("RiskConfig.sol:RiskConfig", abi.encode(deployer, oracle, usdc))
        );
        ch = IClearingHouseAdmin(
            ArtifactDeployer.deploy(
                "ClearingHouse.sol:ClearingHouse",
                abi.encode(deployer, usdc, oracle, volOracle, settlement, risk, feeCollector, feeCollector)
            )
        );
        exchange = IOptionExchange(
            ArtifactDeployer.deploy("OptionExchange.sol:OptionExchange", abi.encode(ch, deployer, deployer))
        );
        liq = ILiquidationModule(
            ArtifactDeployer.deploy(
                "LiquidationModule.sol:LiquidationModule",
                abi.encode(ch, deployer, TestConfig.auctionParams())
            )
        );

        vm.startPrank(deployer);
        oracle.grantRole(RISK_ADMIN, deployer);
        oracle.grantRole(GUARDIAN, guardian);
        volOracle.grantRole(RISK_ADMIN, deployer);
        volOracle.grantRole(VOL_UPDATER, volUpdater);
        settlement.grantRole(RISK_ADMIN, deployer);
        _listMarket(ETH, ethFeed, 100e18, 100_000e18, 50e18, 0.01e18, 10_000e18, 0.6e18, 1.2e18);
        _listMarket(BTC, btcFeed, 1000e18, 1_000_000e18, 1000e18, 0.001e18, 500e18, 0.5e18, 1e18);
        risk.listCollateral(address(weth), ETH, 0.1e18, 0.05e18, 100_000e18);
        risk.listCollateral(address(wbtc), BTC, 0.1e18, 0.05e18, 5000e18);
        risk.setPositionCap(128);
        risk.setGroupCap(16);
        risk.setInsuranceFloor(1000e18);
        risk.setInsuranceFeeShare(0.5e18);
        exchange.setFees(0.0003e18, 0.0005e18, 0.125e18);
        ch.setLiquidationModule(address(liq));
        ch.setExchange(address(exchange));
        vm.stopPrank();

        // hand-over: the timelock takes DEFAULT_ADMIN and RISK_ADMIN everywhere, the deployer renounces its own
        address[] memory proposers = new address[](1);
        proposers[0] = governor;
        timelock = ITimelock(
            ArtifactDeployer.deploy(
                "TimelockController.sol:TimelockController",
                abi.encode(TIMELOCK_DELAY, proposers, proposers, address(0))
            )
        );
        address[7] memory governed = [
            address(oracle),
            address(volOracle),
            address(settlement),
            address(risk),
            address(ch),
            address(liq),
            address(exchange)
        ];
        vm.startPrank(deployer);
        for (uint256 i; i < governed.length; ++i) {
            IAccessControl c = IAccessControl(governed[i]);
            if (governed[i] != address(ch)) c.grantRole(RISK_ADMIN, address(timelock));
            c.grantRole(DEFAULT_ADMIN, address(timelock));
        }
        for (uint256 i; i < governed.length; ++i) {
            IAccessControl c = IAccessControl(governed[i]);
            if (c.hasRole(RISK_ADMIN, deployer)) c.renounceRole(RISK_ADMIN, deployer);
            c.renounceRole(DEFAULT_ADMIN, deployer);
        }
        vm.stopPrank();
    }

    function _marginParams(
        uint96 strikeStep,
        uint64 imBase,
        uint64 mmBase
    ) internal pure returns (UnderlyingParams memory) {
        return
            UnderlyingParams({
                imBase: imBase,
                imFloor: 0.1e18,
                mmBase: mmBase,
                mmFloor: 0.075e18,
                rate: 0,
                expiryPeriod: 1 days,
                expiryOffset: EXPIRY_OFFSET,
                maxHorizon: 365 days,
                strikeStep: strikeStep,
                minStrike: strikeStep,
                maxStrike: strikeStep < 1000e18 ? 100_000e18 : 1_000_000e18
            });
    }

    function _listMarket(
        uint16 id,
        MockAggregator feed,
        uint256 minPrice,
        uint256 maxPrice,
        uint96 strikeStep,
        uint128 minTradeSize,
        uint256 oiCap,
        uint256 vol0,
        uint64 staleVol
    ) internal {
        oracle.listUnderlying(
            id,
            FeedParams({
                feed: AggregatorV3Interface(address(feed)),
                heartbeat: 3600,
                fallbackFeed: AggregatorV3Interface(address(0)),
                fallbackHeartbeat: 0,
                minPriceWad: minPrice,
                maxPriceWad: maxPrice,
                maxDeviationWad: 0.15e18,
                confirmations: 1
            })
        );
        volOracle.listUnderlying(
            id,
            IVolatilityOracle.VolParams({maxAgeSec: 1 days, staleVolWad: staleVol, maxMoveWad: 0})
        );
        risk.setUnderlyingParams(id, _marginParams(strikeStep, 0.15e18, 0.1e18));
        risk.setRiskParams(
            id,
            RiskParams({
                imVegaSlope: 0.87e18,
                imVegaCap: 0.55e18,
                mmVegaSlope: 0.44e18,
                mmVegaCap: 0.3e18,
                mmLongHaircut: 1e18,
                haltShock: 0.5e18,
                minTradeSize: minTradeSize
            })
        );
        exchange.setUnderlyingOpenInterestCap(id, oiCap);
        vm.stopPrank();
        vm.prank(volUpdater);
        volOracle.setVol(id, vol0);
        vm.startPrank(deployer);
    }

    /// @dev The `daysAhead`-th daily expiry (08:00 UTC) after now.
    function _expiry(uint256 daysAhead) internal view returns (uint40) {
        uint256 next = (block.timestamp / 1 days) * 1 days + EXPIRY_OFFSET;
        if (next <= block.timestamp) next += 1 days;
        return uint40(next + (daysAhead - 1) * 1 days);
    }

    function _series(uint16 underlying, uint40 expiry, uint256 strike, bool isCall) internal pure returns (SeriesId) {
        return SeriesIdLib.encode(underlying, expiry, uint96(strike), isCall);
    }
}
