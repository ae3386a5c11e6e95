// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {AccountId, SeriesId, MarketMode} from "../../../contracts/types/Types.sol";
import {SeriesIdLib} from "../../../contracts/libraries/SeriesIdLib.sol";
import {UnderlyingParams} from "../../../contracts/interfaces/IRiskConfig.sol";
import {ISequencerGuard, SequencerStatus} from "../../../contracts/interfaces/ISequencerGuard.sol";
import {IOptionExchange, Order, SignedOrder, FillRequest} from "../../../contracts/interfaces/IOptionExchange.sol";
import {ILiquidationModule, Quote} from "../../../contracts/interfaces/ILiquidationModule.sol";
import {
    IClearingHouseAdmin,
    IChainlinkOracleAdmin,
    IVolatilityOracleAdmin,
    ISettlementOracleAdmin
} from "../../utils/SystemInterfaces.sol";
import {IRiskConfigAdmin} from "../../core/utils/IRiskConfigAdmin.sol";
import {MockAggregator} from "../../../contracts/mocks/MockAggregator.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {ITimelock} from "./SystemBase.sol";

/// @notice Every entry point a user, relayer, keeper, guardian, the timelock or a price feed touches, with bounded
/// inputs and ghost accounting. Each call that moves cash is checked against an independent model of its flows
/// (premium rounded against the taker, fees with the open-interest floor, split fee/insurance; settlement payoffs at the
/// recorded price, longs down and shorts up; liquidation fractions, costs and fund payments; deficit conversion of
/// deposits and withdrawals): `ghost_in/out/realised` per account must equal the contract's cash exactly (INV-12, INV-1).
/// Per-call properties are counted in `ghost_*` violation counters (a failed assertion inside a handler only reverts
/// the call, which `failOnRevert = false` ignores); the invariant functions assert they stay 0.
/// @dev Handler logic lives here; the test file declares a contract inheriting it (Hardhat gives the invariant runner
/// only the artifacts of test roots).
contract SystemHandler is Test {
    uint16 internal constant ETH = 1;
    uint16 internal constant BTC = 2;
    uint256 internal constant WAD = 1e18;
    uint256 internal constant USERS = 5;
    uint256 internal constant MAX_FEE_RATE = 0.005e18;
    uint256 internal constant CAP_FEE_FLOOR_RATE = 0.0001e18;
    /// @dev As LiquidationHandler: wei-level slack for the E/MM ratio comparison of a bid (INV-5).
    int256 public constant RATIO_SLACK = 1e6;

    struct Deps {
        IClearingHouseAdmin ch;
        IOptionExchange exchange;
        ILiquidationModule liq;
        IChainlinkOracleAdmin oracle;
        IVolatilityOracleAdmin volOracle;
        ISettlementOracleAdmin settlement;
        IRiskConfigAdmin risk;
        ITimelock timelock;
        ISequencerGuard guard;
        MockERC20 usdc;
        MockERC20 weth;
        MockERC20 wbtc;
        MockAggregator ethFeed;
        MockAggregator btcFeed;
        MockAggregator seqFeed;
        address governor;
        address guardian;
        address volUpdater;
    }

    /// @dev A stored signed order, for refills, cancellations and the operator/nonce checks.
    struct Stored {
        Order order;
        uint256 key; // signer's private key
    }

    /// @dev One leg as the model expects it.
    struct Leg {
        AccountId buyer;
        AccountId seller;
        SeriesId series;
        uint256 size;
        uint256 premium;
        uint256 buyerFee;
        uint256 sellerFee;
        int256 buyerBefore;
        int256 sellerBefore;
    }

    Deps internal d;
    AccountId public fundAcc;
    AccountId public feeAcc;

    uint256[] internal ownerKeys;
    address[] public owners;
    AccountId[] public users;
    uint256[2] internal opKeys;
    address[2] public ops; // ops[i] is the operator of users[i]
    bool[2] public opApproved;
    uint256 internal constant STRANGER_KEY = 0x5717A;
    address public stranger;
    address public relayer = makeAddr("relayer");
    uint256 internal constant PROBE_KEY_A = 0x9A0BE1;
    uint256 internal constant PROBE_KEY_B = 0x9A0BE2;
    AccountId public probeBidder; // the INV-11 probe's deep-pocketed bidder (never used by handlers)
    address public probeBidderOwner = makeAddr("probeBidder");

    SeriesId[] public series;
    uint40[] public expiries;
    Stored[] internal _orders;
    uint256 internal _salt;
    uint256 internal _govSalt;
    uint256[2] public volWad = [uint256(0.6e18), 0.5e18];

    // ------------------------------------------------------------------------------------------------ ghosts
    mapping(uint256 id => int256) public ghost_in; // cash tokens deposited, WAD
    mapping(uint256 id => int256) public ghost_out; // cash tokens withdrawn, WAD
    mapping(uint256 id => int256) public ghost_realised; // premiums, fees, payoffs, liquidation flows, conversions
    mapping(uint256 id => mapping(address token => uint256)) public ghost_coll; // collateral, WAD token units
    int256 public ghost_realisedSum;
    uint256 public ghost_tokensIn; // cash token WAD moved in, system-wide
    uint256 public ghost_tokensOut;
    uint256 public ghost_settledPositions; // each may keep < 1 wei of rounding (INV-1, INV-3, INV-7)
    mapping(SeriesId series => int256) public ghost_seriesFlow; // Σ settlement cash of the series (INV-3)
    mapping(SeriesId series => uint256) public ghost_seriesSettled; // positions of the series settled
    uint256 public heaviestId;
    uint256 public heaviestCount;

    // violations (must stay 0)
    uint256 public ghost_cashMismatch; // a call moved cash other than the model says (INV-1, INV-7, INV-12)
    string public lastMismatch;
    uint256 public ghost_tokenTransferMismatch; // a withdrawal sent other than the amount asked (INV-1)
    uint256 public ghost_inv4; // INV-4
    uint256 public ghost_startAboveMM; // INV-5
    uint256 public ghost_ratioDecreased; // INV-5
    uint256 public ghost_inv6; // INV-6: an unauthorized (or revoked, cancelled, nonce-dead) action went through
    string public lastInv6;
    uint256 public ghost_withdrawNegativeCash; // INV-12: cash went negative by withdrawal
    uint256 public ghost_inv9; // INV-9
    string public lastInv9;
    uint256 public ghost_inv10; // INV-10: a confined action on the healthy market reverted while the other was faulted
    bytes public lastInv10;
    uint256 public ghost_fundPaidSolvent; // INV-11
    uint256 public ghost_lossOnSolvent; // INV-11
    uint256 public ghost_bidderBelowIM;
    uint256 public ghost_fundBelowFloor; // INV-11: the admin took the fund below its floor (or out of a deficit)

    bytes public lastFillRevert; // the last reason a fill reverted (the summary shows it)
    bytes public lastRecordRevert; // the last reason a settlement proof was refused

    // call counts: [ok, reverted] per handler
    mapping(string name => uint256[2]) internal _calls;
    string[] internal _names;

    constructor(Deps memory deps, SeriesId[] memory series_, uint40[] memory expiries_) {
        d = deps;
        fundAcc = deps.ch.insuranceAccount();
        feeAcc = deps.ch.feeAccount();
        series = series_;
        expiries = expiries_;
        stranger = vm.addr(STRANGER_KEY);
        for (uint256 i; i < USERS; ++i) {
            uint256 key = 0xA11CE0 + i;
            ownerKeys.push(key);
            address owner = vm.addr(key);
            owners.push(owner);
            vm.prank(owner);
            users.push(deps.ch.createAccount());
            _approveAll(owner);
        }
        for (uint256 i; i < 2; ++i) {
            opKeys[i] = 0x0BE7A0 + i;
            ops[i] = vm.addr(opKeys[i]);
            vm.prank(owners[i]);
            deps.ch.setOperator(users[i], ops[i], true);
            opApproved[i] = true;
            _approveAll(ops[i]);
        }
        _approveAll(stranger);
        _approveAll(vm.addr(PROBE_KEY_A));
        _approveAll(vm.addr(PROBE_KEY_B));
        _approveAll(probeBidderOwner);
        _approveAll(address(this));
        // traders start with 60k cash (user 4 is the deep-pocketed market maker and bidder), some collateral
        for (uint256 i; i < USERS; ++i) {
            _depositCash(users[i], owners[i], i == 4 ? 5_000_000e6 : 60_000e6);
        }
        _depositColl(users[0], owners[0], address(d.weth), 5e18);
        _depositColl(users[1], owners[1], address(d.wbtc), 0.2e8);
        _depositCash(fundAcc, address(this), 20_000e6);
        vm.prank(probeBidderOwner);
        probeBidder = deps.ch.createAccount();
        _depositCash(probeBidder, probeBidderOwner, 500_000_000e6);
    }

    function _approveAll(address who) internal {
        vm.startPrank(who);
        d.usdc.approve(address(d.ch), type(uint256).max);
        d.weth.approve(address(d.ch), type(uint256).max);
        d.wbtc.approve(address(d.ch), type(uint256).max);
        vm.stopPrank();
    }

    /// @dev forge-std's `bound` logs every result; the handler bounds dozens of inputs per call.
    function bound(uint256 x, uint256 min, uint256 max) internal pure override returns (uint256) {
        return _bound(x, min, max);
    }

    function seriesCount() external view returns (uint256) {
        return series.length;
    }

    function userCount() external view returns (uint256) {
        return users.length;
    }

    function calls(string memory name) external view returns (uint256 ok, uint256 reverted) {
        return (_calls[name][0], _calls[name][1]);
    }

    function _count(string memory name, bool ok) internal {
        uint256[2] storage c = _calls[name];
        if (c[0] == 0 && c[1] == 0) _names.push(name);
        ++c[ok ? 0 : 1];
    }

    /// @notice Logs every handler's successful and reverted calls (call it from a test to judge coverage).
    function callSummary() external view {
        console.log("handler: ok / reverted");
        for (uint256 i; i < _names.length; ++i) {
            console.log(_names[i], _calls[_names[i]][0], _calls[_names[i]][1]);
        }
        console.log("heaviest account positions", heaviestCount);
        console.log("settled positions", ghost_settledPositions);
        console.log("last fill revert:");
        console.logBytes(lastFillRevert);
        console.log("last settlement proof revert:");
        console.logBytes(lastRecordRevert);
    }

    // =============================================================================================== custody

    /// @dev Cash (seed % 3 == 0), WETH or WBTC, by the owner; one time in four a third party pays the cash.
    function deposit(uint256 who, uint256 tokenSeed, uint256 amount) external {
        uint256 i = who % USERS;
        uint256 t = tokenSeed % 3;
        if (t == 0) {
            address from = (tokenSeed >> 2) % 4 == 0 ? stranger : owners[i];
            _depositCash(users[i], from, bound(amount, 1e6, 100_000e6));
        } else if (t == 1) {
            _depositColl(users[i], owners[i], address(d.weth), bound(amount, 1e15, 20e18));
        } else {
            _depositColl(users[i], owners[i], address(d.wbtc), bound(amount, 1e4, 0.5e8));
        }
    }

    function fundDeposit(uint256 amount) external {
        _depositCash(fundAcc, address(this), bound(amount, 1e6, 20_000e6));
    }

    function _depositCash(AccountId a, address from, uint256 amountNative) internal {
        d.usdc.mint(from, amountNative);
        uint256 amountWad = amountNative * 1e12;
        uint256 claims = _claims(amountWad, false);
        int256[] memory before = _cashAll();
        int256[] memory exp = new int256[](before.length);
        vm.prank(from);
        try d.ch.deposit(a, address(d.usdc), amountNative) {
            _count("deposit", true);
            exp[AccountId.unwrap(a)] += int256(claims);
            exp[AccountId.unwrap(fundAcc)] -= int256(claims - amountWad);
            _commit(before, exp, "deposit");
            // the tokens are `in`; the conversion difference is realised (zero-sum with the fund)
            ghost_realised[AccountId.unwrap(a)] -= int256(amountWad);
            ghost_realisedSum -= int256(amountWad);
            ghost_in[AccountId.unwrap(a)] += int256(amountWad);
            ghost_tokensIn += amountWad;
        } catch {
            _count("deposit", false);
        }
    }

    function _depositColl(AccountId a, address from, address token, uint256 amountNative) internal {
        MockERC20(token).mint(from, amountNative);
        uint256 amountWad = token == address(d.wbtc) ? amountNative * 1e10 : amountNative;
        int256[] memory before = _cashAll();
        vm.prank(from);
        try d.ch.deposit(a, token, amountNative) {
            _count("depositCollateral", true);
            _commit(before, new int256[](before.length), "depositCollateral");
            ghost_coll[AccountId.unwrap(a)][token] += amountWad;
        } catch {
            _count("depositCollateral", false); // deposit cap
        }
    }

    /// @dev Withdraws `pct`% of the cash surplus over IM (or of a collateral balance), by the owner or its operator.
    function withdraw(uint256 who, uint256 tokenSeed, uint256 pct, bool viaOperator) external {
        uint256 i = who % USERS;
        address caller = viaOperator && i < 2 && opApproved[i] ? ops[i] : owners[i];
        // one call in four takes the whole surplus: accounts then sit at IM, and the next move can take them below MM
        pct = pct % 4 == 0 ? 100 : bound(pct, 1, 100);
        uint256 t = tokenSeed % 3;
        if (t == 0) {
            (int256 e, uint256 im, ) = d.ch.accountMargin(users[i]);
            int256 cash = d.ch.cashOf(users[i]);
            int256 surplus = e - int256(im) < cash ? e - int256(im) : cash;
            if (surplus < 1e12) return;
            uint256 amountNative = (uint256(surplus) * pct) / 100 / 1e12;
            if (amountNative == 0) return;
            _withdrawCash(users[i], caller, amountNative, "withdraw");
        } else {
            address token = t == 1 ? address(d.weth) : address(d.wbtc);
            uint256 bal = d.ch.collateralOf(users[i], token);
            uint256 amountNative = (bal * pct) / 100 / (t == 1 ? 1 : 1e10);
            if (amountNative == 0) return;
            _withdrawColl(users[i], caller, token, amountNative);
        }
    }

    function _withdrawCash(
        AccountId a,
        address caller,
        uint256 amountNative,
        string memory name
    ) internal returns (bool) {
        uint256 amountWad = amountNative * 1e12;
        uint256 claims = _claims(amountWad, true);
        bool active = _allActive();
        int256[] memory before = _cashAll();
        uint256 received = d.usdc.balanceOf(caller);
        vm.prank(caller);
        try d.ch.withdraw(a, address(d.usdc), amountNative, caller) {
            _count(name, true);
            int256[] memory exp = new int256[](before.length);
            exp[AccountId.unwrap(a)] -= int256(claims);
            exp[AccountId.unwrap(fundAcc)] += int256(claims - amountWad);
            _commit(before, exp, name);
            ghost_realised[AccountId.unwrap(a)] += int256(amountWad);
            ghost_realisedSum += int256(amountWad);
            ghost_out[AccountId.unwrap(a)] += int256(amountWad);
            ghost_tokensOut += amountWad;
            if (d.usdc.balanceOf(caller) - received != amountNative) ++ghost_tokenTransferMismatch;
            if (d.ch.cashOf(a) < 0) ++ghost_withdrawNegativeCash; // INV-12
            _checkIM(a, active); // INV-4: a withdrawal leaves IM >= 0
            return true;
        } catch {
            _count(name, false);
            return false;
        }
    }

    function _withdrawColl(AccountId a, address caller, address token, uint256 amountNative) internal {
        uint256 amountWad = token == address(d.wbtc) ? amountNative * 1e10 : amountNative;
        bool active = _allActive();
        int256[] memory before = _cashAll();
        uint256 received = MockERC20(token).balanceOf(caller);
        vm.prank(caller);
        try d.ch.withdraw(a, token, amountNative, caller) {
            _count("withdrawCollateral", true);
            _commit(before, new int256[](before.length), "withdrawCollateral");
            ghost_coll[AccountId.unwrap(a)][token] -= amountWad;
            if (MockERC20(token).balanceOf(caller) - received != amountNative) ++ghost_tokenTransferMismatch;
            _checkIM(a, active);
        } catch {
            _count("withdrawCollateral", false);
        }
    }

    function _checkIM(AccountId a, bool active) internal {
        if (!active) return; // degraded markets: the strict evaluation differs from the view (INV-9 covers them)
        (int256 e, uint256 im, ) = d.ch.accountMargin(a);
        if (e < int256(im)) ++ghost_inv4;
    }

    // =============================================================================================== trading

    /// @dev One maker order (signed by the owner or, for users 0 and 1, their operator), filled in part or whole by a
    /// taker (its owner or operator).
    function fill(
        uint256 makerSeed,
        uint256 takerSeed,
        uint256 seriesSeed,
        bool makerBuys,
        uint256 size,
        uint256 price,
        uint256 flags
    ) external {
        (bool ok, SeriesId s) = _liveSeries(seriesSeed);
        if (!ok) return;
        uint256 m = makerSeed % USERS;
        uint256 idx = _newOrder(
            m,
            flags % 2 == 1 && m < 2 && opApproved[m] ? opKeys[m] : ownerKeys[m],
            s,
            makerBuys,
            _boundSize(s, size),
            _boundPrice(s, price),
            (flags >> 1) % 4 == 0
        );
        uint256 t = takerSeed % USERS;
        if (m == t) t = (t + 1) % USERS;
        _fillStored(idx, t, flags);
    }

    function _fillStored(uint256 idx, uint256 t, uint256 flags) internal {
        uint256 size = _orders[idx].order.size;
        uint256[] memory sizes = new uint256[](1);
        sizes[0] = (flags >> 3) % 2 == 0 ? size : bound(flags >> 4, _minSize(_orders[idx].order.series), size);
        uint256[] memory idxs = new uint256[](1);
        idxs[0] = idx;
        address caller = (flags >> 2) % 2 == 1 && t < 2 && opApproved[t] ? ops[t] : owners[t];
        if (!_executeFill(users[t], caller, idxs, sizes, "fill")) return;
        // a quarter of the makers then take their whole cash surplus out: they sit at IM, a move takes them below MM
        if ((flags >> 200) % 4 == 0) _withdrawSurplus(_userIndex(_orders[idx].order.account));
    }

    function _withdrawSurplus(uint256 i) internal {
        (int256 margin, ) = _initial(users[i]);
        int256 cash = d.ch.cashOf(users[i]);
        int256 surplus = margin < cash ? margin : cash;
        if (surplus < 1e12) return;
        _withdrawCash(users[i], owners[i], uint256(surplus) / 1e12, "withdrawSurplus");
    }

    /// @dev A multi-leg fill: the market maker (user 4) quotes `n` small orders on distinct series (mostly offers), one
    /// taker takes them all, atomically. Builds the heaviest account for INV-8.
    function fillMany(uint256 takerSeed, uint256 seed, uint256 n) external {
        uint256 t = takerSeed % 4;
        n = bound(n, 2, 10);
        uint256[] memory idxs = new uint256[](n);
        uint256[] memory sizes = new uint256[](n);
        uint256 k;
        for (uint256 j; j < series.length && k < n; ++j) {
            SeriesId s = series[(seed + j * 7) % series.length];
            if (SeriesIdLib.expiry(s) <= block.timestamp + 10 minutes) continue;
            uint256 r = uint256(keccak256(abi.encode(seed, j)));
            uint256 size = SeriesIdLib.underlying(s) == ETH ? bound(r, 0.01e18, 1e18) : bound(r, 0.001e18, 0.05e18);
            idxs[k] = _newOrder(4, ownerKeys[4], s, r % 4 == 0, size, _boundPrice(s, r >> 128), false);
            sizes[k] = size;
            ++k;
        }
        if (k == 0) return;
        assembly ("memory-safe") {
            mstore(idxs, k)
            mstore(sizes, k)
        }
        _executeFill(users[t], owners[t], idxs, sizes, "fillMany");
    }

    /// @dev Fills a stored order again: partial fills, overfills, cancelled, expired, nonce-dead orders, and orders of
    /// an operator since revoked or re-approved. A fill the rules forbid that goes through is an INV-6 violation.
    function refill(uint256 orderSeed, uint256 takerSeed, uint256 fillSize) external {
        if (_orders.length == 0) return;
        uint256 idx = orderSeed % _orders.length;
        Order memory o = _orders[idx].order;
        uint256 t = takerSeed % USERS;
        if (users[t] == o.account) t = (t + 1) % USERS;
        uint256[] memory idxs = new uint256[](1);
        idxs[0] = idx;
        uint256[] memory sizes = new uint256[](1);
        sizes[0] = bound(fillSize, 1, o.size);
        _executeFill(users[t], owners[t], idxs, sizes, "refill");
    }

    /// @dev A relayer matches a crossing buy and sell order (the sell limit is the price).
    function matchOrders(
        uint256 buyerSeed,
        uint256 sellerSeed,
        uint256 seriesSeed,
        uint256 size,
        uint256 price,
        uint256 spread
    ) external {
        (bool ok, SeriesId s) = _liveSeries(seriesSeed);
        if (!ok) return;
        uint256 b = buyerSeed % USERS;
        uint256 s_ = sellerSeed % USERS;
        if (b == s_) s_ = (s_ + 1) % USERS;
        price = _boundPrice(s, price);
        spread = price + bound(spread, 0, price / 10 + 1);
        _matchNew(b, s_, s, _boundSize(s, size), price, spread);
    }

    function _matchNew(uint256 b, uint256 s_, SeriesId s, uint256 size, uint256 sellPrice, uint256 buyPrice) internal {
        uint256 bi = _newOrder(b, ownerKeys[b], s, true, size, buyPrice, false);
        uint256 si = _newOrder(s_, ownerKeys[s_], s, false, size, sellPrice, false);
        _match(bi, si, size);
    }

    function _match(uint256 bi, uint256 si, uint256 size) internal {
        Leg[] memory legs = new Leg[](1);
        legs[0] = _leg(_orders[bi].order, _orders[si].order, size);
        bool valid = _orderValid(bi, size) && _orderValid(si, size);
        SignedOrder memory buy = _sign(bi);
        SignedOrder memory sell = _sign(si);
        _Pre memory pre = _pre(legs);
        vm.prank(relayer);
        try d.exchange.matchOrders(buy, sell, size) {
            _count("matchOrders", true);
            _post(legs, pre, valid, "matchOrders");
        } catch {
            _count("matchOrders", false);
        }
    }

    function cancel(uint256 orderSeed, bool viaOperator) external {
        if (_orders.length == 0) return;
        uint256 idx = orderSeed % _orders.length;
        Order memory o = _orders[idx].order;
        uint256 i = _userIndex(o.account);
        address caller = viaOperator && i < 2 && opApproved[i] ? ops[i] : owners[i];
        vm.prank(caller);
        try d.exchange.cancelOrder(o) {
            _count("cancel", true);
        } catch {
            _count("cancel", false);
        }
    }

    /// @dev Cancel-all: `incrementMinNonce`, or a bounded `setMinNonce` jump.
    function bumpNonce(uint256 who, uint256 step) external {
        uint256 i = who % USERS;
        AccountId a = users[i];
        uint256 next = d.exchange.minNonce(a) + bound(step, 1, 3);
        vm.prank(owners[i]);
        if (step % 2 == 0) {
            try d.exchange.incrementMinNonce(a) {
                _count("bumpNonce", true);
            } catch {
                _count("bumpNonce", false);
            }
        } else {
            try d.exchange.setMinNonce(a, next) {
                _count("bumpNonce", true);
            } catch {
                _count("bumpNonce", false);
            }
        }
    }

    /// @dev The owner of user 0 or 1 approves or revokes its operator (every approval starts a new epoch).
    function setOperator(uint256 who, bool approve) external {
        uint256 i = who % 2;
        vm.prank(owners[i]);
        d.ch.setOperator(users[i], ops[i], approve);
        opApproved[i] = approve;
        _count("setOperator", true);
    }

    /// @dev Actions nobody authorized: each must revert (INV-6).
    function unauthorized(uint256 seed, uint256 victimSeed) external {
        uint256 v = victimSeed % USERS;
        AccountId victim = users[v];
        uint256 kind = seed % 7;
        bool succeeded;
        if (kind == 0) {
            vm.prank(stranger);
            try d.ch.withdraw(victim, address(d.usdc), 1, stranger) {
                succeeded = true;
            } catch {}
        } else if (kind == 1) {
            // an order for the victim's account signed by a stranger (or by another account's operator)
            _unauthorizedFill(v, seed);
            return;
        } else if (kind == 2) {
            vm.prank(stranger);
            try d.ch.setOperator(victim, stranger, true) {
                succeeded = true;
            } catch {}
        } else if (kind == 3) {
            vm.prank(stranger);
            try d.exchange.incrementMinNonce(victim) {
                succeeded = true;
            } catch {}
        } else if (kind == 4) {
            // an operator of another account withdraws from the victim
            address op = ops[v == 0 ? 1 : 0];
            vm.prank(op);
            try d.ch.withdraw(victim, address(d.usdc), 1, op) {
                succeeded = true;
            } catch {}
        } else if (kind == 6) {
            // a stranger bids in a live auction with the victim's account (and the victim's cash)
            (bool found, AccountId live) = _liveAuction(seed >> 8);
            if (!found || live == victim) return;
            vm.prank(stranger);
            try d.liq.bid(live, victim, 1e15, type(int256).max) {
                succeeded = true;
            } catch {}
        } else {
            // the guardian, the vol updater or the fee collector takes the insurance fund (only the timelock may)
            address actor = seed % 3 == 0 ? d.guardian : (seed % 3 == 1 ? d.volUpdater : d.ch.ownerOf(fundAcc));
            vm.prank(actor);
            try d.ch.withdraw(fundAcc, address(d.usdc), 1, actor) {
                succeeded = true;
            } catch {}
        }
        _count("unauthorized", !succeeded);
        if (succeeded) {
            ++ghost_inv6;
            lastInv6 = string.concat("unauthorized kind ", vm.toString(kind));
        }
    }

    function _unauthorizedFill(uint256 v, uint256 seed) internal {
        (bool ok, SeriesId s) = _liveSeries(seed >> 8);
        if (!ok) return;
        uint256 key = v >= 2 ? opKeys[seed % 2] : STRANGER_KEY;
        uint256 idx = _newOrder(v, key, s, seed % 2 == 0, _minSize(s) * 10, _boundPrice(s, seed), false);
        uint256[] memory idxs = new uint256[](1);
        idxs[0] = idx;
        uint256[] memory sizes = new uint256[](1);
        sizes[0] = _minSize(s) * 10;
        uint256 t = (v + 1) % USERS;
        _executeFill(users[t], owners[t], idxs, sizes, "unauthorizedFill");
    }

    // ------------------------------------------------------------------------------------------------ fill core

    struct _Pre {
        int256[] cash;
        int256[] margin; // 2 per leg: buyer, seller (equity - im)
        uint256[] im;
        bool active;
        bool[] legAllowed; // the market and vol of the leg's series are Active
    }

    function _executeFill(
        AccountId taker,
        address caller,
        uint256[] memory idxs,
        uint256[] memory sizes,
        string memory name
    ) internal returns (bool) {
        uint256 n = idxs.length;
        FillRequest[] memory reqs = new FillRequest[](n);
        Leg[] memory legs = new Leg[](n);
        bool valid = d.ch.isAuthorized(taker, caller);
        for (uint256 k; k < n; ++k) {
            Order memory o = _orders[idxs[k]].order;
            reqs[k] = FillRequest(_sign(idxs[k]), sizes[k]);
            legs[k] = _fillLeg(o, taker, sizes[k]);
            if (!_orderValid(idxs[k], sizes[k])) valid = false;
        }
        _Pre memory pre = _pre(legs);
        vm.prank(caller);
        try d.exchange.fill(taker, reqs) {
            _count(name, true);
            _post(legs, pre, valid, name);
            return true;
        } catch (bytes memory reason) {
            _count(name, false);
            lastFillRevert = reason;
            return false;
        }
    }

    function _pre(Leg[] memory legs) internal view returns (_Pre memory p) {
        p.cash = _cashAll();
        p.active = _allActive();
        p.margin = new int256[](2 * legs.length);
        p.im = new uint256[](2 * legs.length);
        p.legAllowed = new bool[](legs.length);
        for (uint256 k; k < legs.length; ++k) {
            (p.margin[2 * k], p.im[2 * k]) = _initial(legs[k].buyer);
            (p.margin[2 * k + 1], p.im[2 * k + 1]) = _initial(legs[k].seller);
            p.legAllowed[k] = _seriesActive(legs[k].series);
        }
    }

    function _post(Leg[] memory legs, _Pre memory pre, bool valid, string memory name) internal {
        int256[] memory exp = new int256[](pre.cash.length);
        uint256 fees;
        for (uint256 k; k < legs.length; ++k) {
            Leg memory l = legs[k];
            exp[AccountId.unwrap(l.buyer)] -= int256(l.premium + l.buyerFee);
            exp[AccountId.unwrap(l.seller)] += int256(l.premium) - int256(l.sellerFee);
            fees += l.buyerFee + l.sellerFee;
            // INV-9: new exposure only in an Active market with an Active vol
            bool adds =
                !_reduces(l.buyerBefore, d.ch.positionOf(l.buyer, l.series)) ||
                    !_reduces(l.sellerBefore, d.ch.positionOf(l.seller, l.series));
            if (adds && !pre.legAllowed[k]) {
                ++ghost_inv9;
                lastInv9 = string.concat(name, ": exposure added in a degraded market");
            }
            if (pre.active) {
                _checkAfterTrade(l.buyer, pre.margin[2 * k], pre.im[2 * k]);
                _checkAfterTrade(l.seller, pre.margin[2 * k + 1], pre.im[2 * k + 1]);
            }
            _trackHeaviest(l.buyer);
            _trackHeaviest(l.seller);
        }
        uint256 ins = (fees * d.risk.insuranceFeeShare()) / WAD; // down; the fee account takes the rest
        exp[AccountId.unwrap(feeAcc)] += int256(fees - ins);
        exp[AccountId.unwrap(fundAcc)] += int256(ins);
        _commit(pre.cash, exp, name);
        if (!valid) {
            ++ghost_inv6;
            lastInv6 = string.concat(name, ": a fill the order rules forbid went through");
        }
    }

    /// @dev INV-4 after a trade: at or above IM, or the trade reduced the account's risk (IM need not up, initial
    /// margin not down, at the same prices).
    function _checkAfterTrade(AccountId a, int256 marginBefore, uint256 imBefore) internal {
        (int256 margin, uint256 im) = _initial(a);
        if (margin < 0 && !(im <= imBefore && margin >= marginBefore)) ++ghost_inv4;
    }

    function _fillLeg(Order memory o, AccountId taker, uint256 size) internal view returns (Leg memory l) {
        l.series = o.series;
        l.size = size;
        // rounded against the taker: down when the maker buys, up when it sells (INV-7)
        l.premium = o.isBuy ? (size * o.limitPrice) / WAD : _mulWadUp(size, o.limitPrice);
        (l.buyer, l.seller) = o.isBuy ? (o.account, taker) : (taker, o.account);
        (uint256 makerRate, uint256 takerRate, ) = d.exchange.feeParams();
        _fees(l, o.isBuy ? makerRate : takerRate, o.isBuy ? takerRate : makerRate);
    }

    function _leg(Order memory buy, Order memory sell, uint256 size) internal view returns (Leg memory l) {
        l.series = sell.series;
        l.size = size;
        l.premium = _mulWadUp(size, sell.limitPrice);
        (l.buyer, l.seller) = (buy.account, sell.account);
        (uint256 makerRate, uint256 takerRate, ) = d.exchange.feeParams();
        _fees(l, takerRate, makerRate);
    }

    /// @dev The fee model: min(ceil(rate x ceil(size x strike)), ceil(cap x premium)), raised on a capped series to
    /// the floor on the open interest the leg adds (positions read before the call: legs are on distinct series).
    function _fees(Leg memory l, uint256 buyerRate, uint256 sellerRate) internal view {
        (, , uint256 cap) = d.exchange.feeParams();
        uint256 strike = SeriesIdLib.strike(l.series);
        l.buyerBefore = d.ch.positionOf(l.buyer, l.series);
        l.sellerBefore = d.ch.positionOf(l.seller, l.series);
        l.buyerFee = _fee(buyerRate, cap, strike, l.size, l.premium);
        l.sellerFee = _fee(sellerRate, cap, strike, l.size, l.premium);
        if (d.exchange.openInterestCap(l.series) != 0) {
            int256 sz = int256(l.size);
            int256 added =
                _long(l.buyerBefore + sz) - _long(l.buyerBefore) + _long(l.sellerBefore - sz) - _long(l.sellerBefore);
            if (added > 0) {
                uint256 floorFee = _mulWadUp(_mulWadUp(uint256(added), strike), CAP_FEE_FLOOR_RATE);
                if (l.buyerFee < floorFee) l.buyerFee = floorFee;
                if (l.sellerFee < floorFee) l.sellerFee = floorFee;
            }
        }
    }

    function _fee(
        uint256 rate,
        uint256 cap,
        uint256 strike,
        uint256 size,
        uint256 premium
    ) internal pure returns (uint256) {
        if (rate == 0 || cap == 0) return 0;
        uint256 byNotional = _mulWadUp(_mulWadUp(size, strike), rate);
        uint256 byPremium = _mulWadUp(premium, cap);
        return byNotional < byPremium ? byNotional : byPremium;
    }

    /// @dev Whether the order may fill `size` now by the rules: not cancelled, not expired, nonce alive, not
    /// overfilled, signed by the owner or by an operator approved now under the epoch it signed with.
    function _orderValid(uint256 idx, uint256 size) internal view returns (bool) {
        Stored memory st = _orders[idx];
        Order memory o = st.order;
        bytes32 h = d.exchange.hashOrder(o);
        (uint256 filled, bool cancelled) = d.exchange.orderStatus(h);
        if (cancelled || block.timestamp > o.deadline || o.nonce < d.exchange.minNonce(o.account)) return false;
        if (filled + size > o.size) return false;
        address signer = vm.addr(st.key);
        if (signer == d.ch.ownerOf(o.account)) return true;
        (bool approved, uint256 epoch) = d.ch.operatorApproval(o.account, signer);
        return approved && epoch == o.operatorEpoch;
    }

    function _newOrder(
        uint256 m,
        uint256 key,
        SeriesId s,
        bool isBuy,
        uint256 size,
        uint256 price,
        bool shortLived
    ) internal returns (uint256 idx) {
        AccountId a = users[m];
        address signer = vm.addr(key);
        Order memory o = Order({
            account: a,
            series: s,
            isBuy: isBuy,
            size: size,
            limitPrice: price,
            deadline: block.timestamp + (shortLived ? 30 minutes : 3 days),
            nonce: d.exchange.minNonce(a) + (_salt % 3 == 0 ? 1 : 0), // some orders survive one bump
            salt: ++_salt,
            reduceOnly: false,
            minFillSize: 0,
            maxFeeRate: MAX_FEE_RATE,
            operatorEpoch: d.exchange.operatorEpoch(a, signer)
        });
        if (_orders.length >= 64) {
            idx = _salt % 64;
            _orders[idx] = Stored(o, key);
        } else {
            idx = _orders.length;
            _orders.push(Stored(o, key));
        }
    }

    function _sign(uint256 idx) internal view returns (SignedOrder memory) {
        Stored memory st = _orders[idx];
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(st.key, d.exchange.hashOrder(st.order));
        return SignedOrder(st.order, vm.addr(st.key), abi.encodePacked(r, s, v));
    }

    // =============================================================================================== markets

    /// @dev A move of at most ±10% (the feeds' deviation bound is 15%), two rounds so it is confirmed; also heals a
    /// jump or an out-of-band round.
    function movePrice(uint256 uSeed, uint256 pct) external {
        uint16 u = uSeed % 2 == 0 ? ETH : BTC;
        MockAggregator feed = _feed(u);
        (, int256 answer, , , ) = feed.latestRoundData();
        int256 next = (answer * int256(bound(pct, 90, 110))) / 100;
        (int256 lo, int256 hi) = u == ETH ? (int256(1000e8), int256(9000e8)) : (int256(20_000e8), int256(200_000e8));
        if (next < lo) next = lo;
        if (next > hi) next = hi;
        feed.pushRound(next, block.timestamp);
        feed.pushRound(next, block.timestamp);
        _count("movePrice", true);
    }

    /// @dev One unconfirmed jump of 20-40% (Halted until a confirming round), or a round outside the price band.
    function jumpPrice(uint256 uSeed, uint256 pct, bool outOfBand) external {
        uint16 u = uSeed % 2 == 0 ? ETH : BTC;
        MockAggregator feed = _feed(u);
        (, int256 answer, , , ) = feed.latestRoundData();
        int256 next;
        if (outOfBand) {
            next = u == ETH ? int256(50e8) : int256(500e8); // below the band
        } else {
            int256 p = int256(bound(pct, 20, 40));
            next = pct % 2 == 0 ? (answer * (100 + p)) / 100 : (answer * (100 - p)) / 100;
        }
        feed.pushRound(next, block.timestamp);
        _count("jumpPrice", true);
    }

    /// @dev The L2 sequencer goes down, or comes back up (then a grace period runs).
    function sequencer(bool down) external {
        d.seqFeed.setSequencerStatus(down, block.timestamp);
        _count(down ? "sequencerDown" : "sequencerUp", true);
    }

    function moveVol(uint256 uSeed, uint256 pct) external {
        uint256 i = uSeed % 2;
        uint256 next = (volWad[i] * bound(pct, 80, 125)) / 100;
        if (next < 0.2e18) next = 0.2e18;
        if (next > 2e18) next = 2e18;
        volWad[i] = next;
        vm.prank(d.volUpdater);
        d.volOracle.setVol(i == 0 ? ETH : BTC, next);
        _count("moveVol", true);
    }

    /// @dev A minute to a day. Feeds publish a round just after each expiry they cross (their heartbeat), and are
    /// refreshed at the end, unless `staleMask` (one call in four) leaves a feed (bits 0, 1) or a vol (bits 2, 3) to go
    /// stale.
    function warp(uint256 secs, uint256 staleMask) external {
        secs = bound(secs, 1 minutes, 1 days);
        _warp(secs, staleMask % 4 == 0 ? (staleMask >> 2) % 16 : 0);
        _count("warp", true);
    }

    function _warp(uint256 secs, uint256 staleMask) internal {
        uint256 target = block.timestamp + secs;
        // a feed fresh now and not left to go stale keeps its heartbeat: it publishes a round just after each expiry
        bool[2] memory live;
        for (uint256 u; u < 2; ++u) {
            (, , , uint256 updatedAt, ) = _feed(u == 0 ? ETH : BTC).latestRoundData();
            live[u] = staleMask & (1 << u) == 0 && updatedAt + 3600 >= block.timestamp;
        }
        for (uint256 i; i < expiries.length; ++i) {
            uint256 e = expiries[i];
            if (e < block.timestamp || e + 30 > target) continue;
            for (uint256 u; u < 2; ++u) {
                if (!live[u]) continue;
                MockAggregator feed = _feed(u == 0 ? ETH : BTC);
                (, int256 answer, , , ) = feed.latestRoundData();
                feed.pushRound(answer, e + 30);
            }
        }
        vm.warp(target);
        for (uint256 u; u < 2; ++u) {
            if (staleMask & (1 << u) == 0) {
                MockAggregator feed = _feed(u == 0 ? ETH : BTC);
                (, int256 answer, , , ) = feed.latestRoundData();
                feed.pushRound(answer, block.timestamp);
            }
            if (staleMask & (4 << u) == 0) {
                vm.prank(d.volUpdater);
                d.volOracle.setVol(u == 0 ? ETH : BTC, volWad[u]);
            }
        }
    }

    // =============================================================================================== settlement

    /// @dev Anyone proves the settlement price of an expiry from the feed's round history (the first round at or after
    /// expiry); when no round proves it, the spot fallback after its delay (only in an Active market, INV-9).
    function recordSettlement(uint256 seed) external {
        // the first unrecorded (underlying, expiry) that has passed, from a random start
        for (uint256 k; k < 2 * expiries.length; ++k) {
            uint256 j = (seed + k) % (2 * expiries.length);
            uint40 e = expiries[j / 2];
            uint16 u = j % 2 == 0 ? ETH : BTC;
            if (block.timestamp < e) continue;
            (, bool recorded) = d.settlement.settlementPrice(u, e);
            if (recorded) continue;
            _record(u, e);
            return;
        }
    }

    function _record(uint16 u, uint40 e) internal {
        (bool found, uint80 roundId, int256 answer) = _firstRoundAtOrAfter(_feed(u), e);
        if (found) {
            try d.settlement.recordSettlementPrice(u, e, roundId) returns (uint256 price) {
                _count("recordSettlement", true);
                // no privileged steering: the recorded price is the proven round's answer
                if (price != uint256(answer) * 1e10) {
                    ++ghost_inv9;
                    lastInv9 = "settlement price differs from the proven round";
                }
                return;
            } catch (bytes memory reason) {
                _count("recordSettlement", false);
                lastRecordRevert = reason;
            }
        }
        (MarketMode mode, ) = d.oracle.marketState(u);
        try d.settlement.recordFallbackPrice(u, e) {
            _count("recordFallback", true);
            if (mode != MarketMode.Active) {
                ++ghost_inv9;
                lastInv9 = "fallback settlement price from a degraded market";
            }
        } catch {
            _count("recordFallback", false);
        }
    }

    function _firstRoundAtOrAfter(
        MockAggregator feed,
        uint256 e
    ) internal view returns (bool found, uint80 roundId, int256 answer) {
        uint256 n = feed.historyLength();
        for (uint256 j = n; j > 0; --j) {
            uint80 rid = feed.historyAt(j - 1);
            (, int256 a, , uint256 updatedAt, ) = feed.getRoundData(rid);
            if (updatedAt < e) break;
            (found, roundId, answer) = (true, rid, a);
        }
    }

    /// @dev Settles every account (INV-3: zero-sum over the whole system), or one account (seed odd).
    function settle(uint256 seed) external {
        // the settlement keeper records every price due first
        for (uint256 j; j < 2 * expiries.length; ++j) {
            uint40 e = expiries[j / 2];
            uint16 u = j % 2 == 0 ? ETH : BTC;
            if (block.timestamp < e) continue;
            (, bool recorded) = d.settlement.settlementPrice(u, e);
            if (!recorded) _record(u, e);
        }
        uint256 n = d.ch.accountCount();
        AccountId[] memory list;
        if (seed % 2 == 0) {
            list = new AccountId[](n);
            for (uint256 id = 1; id <= n; ++id) list[id - 1] = AccountId.wrap(id);
        } else {
            list = new AccountId[](1);
            list[0] = AccountId.wrap(1 + ((seed >> 1) % n));
        }
        int256[] memory before = _cashAll();
        int256[] memory exp = new int256[](before.length);
        (uint256 settled, ) = _expectedSettlement(list, exp, true);
        try d.ch.settleAccounts(list) {
            _count("settle", true);
            _commit(before, exp, "settle");
            ghost_settledPositions += settled;
        } catch {
            _count("settle", false);
        }
    }

    /// @notice Cash that recorded-but-unsettled positions will move when settled (each rounded against its holder),
    /// and how many there are: claims already fixed by a final price (INV-1, INV-7, INV-12 count them).
    function pendingSettlement() external returns (int256 sum, uint256 count) {
        uint256 n = d.ch.accountCount();
        AccountId[] memory list = new AccountId[](n);
        for (uint256 id = 1; id <= n; ++id) list[id - 1] = AccountId.wrap(id);
        (count, sum) = _expectedSettlement(list, new int256[](n + 1), false);
    }

    /// @dev The settlement flows `list` would get now; `record`: add them to the per-series ghosts (the call is
    /// about to settle them; a reverted call reverts the ghosts with it).
    function _expectedSettlement(
        AccountId[] memory list,
        int256[] memory exp,
        bool record
    ) internal returns (uint256 settled, int256 sum) {
        for (uint256 a; a < list.length; ++a) {
            (SeriesId[] memory ids, int256[] memory sizes) = d.ch.positionsOf(list[a]);
            for (uint256 k; k < ids.length; ++k) {
                (bool due, int256 delta) = _payoff(ids[k], sizes[k]);
                if (!due) continue;
                if (record) {
                    ghost_seriesFlow[ids[k]] += delta;
                    ++ghost_seriesSettled[ids[k]];
                }
                exp[AccountId.unwrap(list[a])] += delta;
                sum += delta;
                ++settled;
            }
        }
    }

    /// @dev Settlement of one position at the recorded price: long credited rounded down, short debited rounded up.
    function _payoff(SeriesId id, int256 size) internal view returns (bool due, int256 delta) {
        uint40 e = SeriesIdLib.expiry(id);
        if (e > block.timestamp) return (false, 0);
        (uint256 price, bool recorded) = d.settlement.settlementPrice(SeriesIdLib.underlying(id), e);
        if (!recorded) return (false, 0);
        uint256 strike = SeriesIdLib.strike(id);
        uint256 intrinsic =
            SeriesIdLib.isCall(id) ? (price > strike ? price - strike : 0) : (strike > price ? strike - price : 0);
        delta = size > 0 ? int256((uint256(size) * intrinsic) / WAD) : -int256(_mulWadUp(uint256(-size), intrinsic));
        due = true;
    }

    // =============================================================================================== liquidation

    /// @dev A trader takes its whole cash surplus out, then the market of its first short moves 8-45% against it (two
    /// identical rounds: a large move is confirmed by the second), then a keeper tries to start its auction: the path
    /// to liquidation (and, for large moves, insolvency) in one call, so auctions happen within the campaign's depth.
    function squeeze(uint256 who, uint256 pct) external {
        uint256 i = who % 4;
        (SeriesId[] memory ids, int256[] memory sizes) = d.ch.positionsOf(users[i]);
        uint256 k;
        while (k < ids.length && sizes[k] >= 0) ++k;
        if (k == ids.length) return;
        _withdrawSurplus(i);
        MockAggregator feed = _feed(SeriesIdLib.underlying(ids[k]));
        (, int256 answer, , , ) = feed.latestRoundData();
        // 8-45%: two identical rounds, so even a move beyond the deviation bound is confirmed (Active again at once)
        int256 p = int256(bound(pct, 8, 45));
        int256 next = SeriesIdLib.isCall(ids[k]) ? (answer * (100 + p)) / 100 : (answer * (100 - p)) / 100;
        feed.pushRound(next, block.timestamp);
        feed.pushRound(next, block.timestamp);
        _count("squeeze", true);
        this.startAuction(1 + 4 * i); // who % 4 != 0: the first account below MM
    }

    /// @dev One time in four on a random user (mostly refused: INV-5), else on the first user below maintenance.
    function startAuction(uint256 who) external {
        AccountId a = users[who % USERS];
        if (who % 4 != 0) {
            for (uint256 k; k < USERS; ++k) {
                AccountId c = users[(who + k) % USERS];
                (int256 e_, uint256 m_, ) = d.ch.accountHealth(c);
                if (e_ < int256(m_) && d.liq.auctionOf(c).startedAt == 0) {
                    a = c;
                    break;
                }
            }
        }
        (int256 e, uint256 mm, uint256 halted) = d.ch.accountHealth(a);
        bool seqUp = d.guard.status() == SequencerStatus.Up;
        int256[] memory before = _cashAll();
        try d.liq.startAuction(a) {
            _count("startAuction", true);
            _commit(before, new int256[](before.length), "startAuction");
            if (e >= int256(mm)) ++ghost_startAboveMM; // INV-5
            if (halted != 0) {
                ++ghost_inv9;
                lastInv9 = "auction started on a halted market's value";
            }
            if (!seqUp && e >= int256((mm * d.liq.auctionParams().deepRatio) / WAD)) {
                ++ghost_inv9;
                lastInv9 = "auction of a topping-up account during sequencer grace";
            }
        } catch {
            _count("startAuction", false);
        }
    }

    struct _BidCtx {
        AccountId account;
        AccountId bidder;
        address caller;
        uint256 fraction;
        int256 e0;
        uint256 mm0;
        uint256 halted0;
        uint256 toAccount;
        uint256 toFund;
        uint256 fromFund;
    }

    /// @dev Waits 0..90 minutes, then user 4 or user 3 (or user 0 through its operator) takes a random fraction.
    function bid(uint256 who, uint256 bidderSeed, uint256 fractionSeed, uint256 wait) external {
        (bool found, AccountId account) = _liveAuction(who);
        if (!found) return;
        wait = bound(wait, 0, 90 minutes);
        if (wait >= 1 minutes) _warp(wait, 0);
        _BidCtx memory c;
        c.account = account;
        uint256 b = bidderSeed % 3 == 0 ? 0 : (bidderSeed % 3 == 1 ? 3 : 4);
        c.bidder = users[b];
        if (c.bidder == account || d.ch.inAuction(c.bidder)) c.bidder = users[4];
        if (c.bidder == account) return;
        b = _userIndex(c.bidder);
        c.caller = b == 0 && opApproved[0] ? ops[0] : owners[b];
        Quote memory q;
        try d.liq.quote(account) returns (Quote memory q_) {
            q = q_;
        } catch {
            _count("bid", false);
            return;
        }
        if (q.maxFraction == 0) return;
        uint256 mode = fractionSeed % 8;
        c.fraction = mode == 0 ? q.maxFraction : (mode == 1 ? WAD : bound(fractionSeed >> 3, 1, q.maxFraction));
        (c.e0, c.mm0, c.halted0) = d.ch.accountHealth(account);
        try d.liq.costOf(account, c.fraction) returns (int256, uint256 ta, uint256 tf, uint256 ff) {
            (c.toAccount, c.toFund, c.fromFund) = (ta, tf, ff);
        } catch {
            return;
        }
        _doBid(c);
    }

    function _doBid(_BidCtx memory c) internal {
        int256[] memory before = _cashAll();
        int256[] memory exp = new int256[](before.length);
        // cash: the fraction moves rounded toward zero, then the bid's payments
        int256 moved = (d.ch.cashOf(c.account) * int256(c.fraction)) / int256(WAD);
        exp[AccountId.unwrap(c.account)] = -moved + int256(c.toAccount);
        exp[AccountId.unwrap(c.bidder)] = moved - int256(c.toAccount) + int256(c.fromFund) - int256(c.toFund);
        exp[AccountId.unwrap(fundAcc)] = int256(c.toFund) - int256(c.fromFund);
        uint256 wethPart = _part(c.account, address(d.weth), c.fraction);
        uint256 wbtcPart = _part(c.account, address(d.wbtc), c.fraction);
        bool active = _allActive();
        vm.prank(c.caller);
        try d.liq.bid(c.account, c.bidder, c.fraction, type(int256).max) {
            _count("bid", true);
            _commit(before, exp, "bid");
            _moveColl(c.account, c.bidder, address(d.weth), wethPart);
            _moveColl(c.account, c.bidder, address(d.wbtc), wbtcPart);
            _afterBid(c, active);
        } catch {
            _count("bid", false);
        }
    }

    function _afterBid(_BidCtx memory c, bool active) internal {
        (int256 e1, uint256 mm1, ) = d.ch.accountHealth(c.account);
        // INV-5: E1 / MM1 >= E0 / MM0 (cross-multiplied, with the wei-level slack of LiquidationHandler)
        int256 slack = RATIO_SLACK * (int256(c.mm0) + (c.e0 < 0 ? -c.e0 : c.e0));
        if (c.fraction < WAD && e1 * int256(c.mm0) + slack < c.e0 * int256(mm1)) ++ghost_ratioDecreased;
        if (c.fromFund > 0 && c.e0 >= 0) ++ghost_fundPaidSolvent; // INV-11
        if (c.halted0 != 0) {
            ++ghost_inv9;
            lastInv9 = "bid on a halted market's value";
        }
        if (active) {
            (int256 be, uint256 bim, ) = d.ch.accountMargin(c.bidder);
            if (be < int256(bim)) ++ghost_bidderBelowIM;
        }
        _trackHeaviest(c.bidder);
    }

    function endAuction(uint256 who) external {
        (bool found, AccountId a) = _liveAuction(who);
        if (!found) return;
        int256[] memory before = _cashAll();
        try d.liq.endAuction(a) {
            _count("endAuction", true);
            _commit(before, new int256[](before.length), "endAuction");
        } catch {
            _count("endAuction", false);
        }
    }

    function markInsolvency(uint256 who) external {
        (bool found, AccountId a) = _liveAuction(who);
        if (!found) return;
        try d.liq.markInsolvency(a) {
            _count("markInsolvency", true);
        } catch {
            _count("markInsolvency", false);
        }
    }

    /// @dev Half of the calls first mark insolvency and wait out the insolvent window.
    function realiseLoss(uint256 who) external {
        (bool found, AccountId a) = _liveAuction(who);
        if (!found) return;
        if ((who >> 8) % 2 == 0) {
            d.liq.markInsolvency(a);
            uint256 since = d.liq.auctionOf(a).insolventSince;
            uint256 at = since + d.liq.auctionParams().insolventDuration;
            if (since != 0 && block.timestamp < at) _warp(at - block.timestamp, 0);
        }
        (int256 e, , ) = d.ch.accountHealth(a);
        int256[] memory before = _cashAll();
        int256[] memory exp = new int256[](before.length);
        exp[AccountId.unwrap(a)] = -d.ch.cashOf(a);
        exp[AccountId.unwrap(fundAcc)] = d.ch.cashOf(a);
        uint256 wethAll = d.ch.collateralOf(a, address(d.weth));
        uint256 wbtcAll = d.ch.collateralOf(a, address(d.wbtc));
        try d.liq.realiseLoss(a) {
            _count("realiseLoss", true);
            _commit(before, exp, "realiseLoss");
            _moveColl(a, fundAcc, address(d.weth), wethAll);
            _moveColl(a, fundAcc, address(d.wbtc), wbtcAll);
            if (e >= 0) ++ghost_lossOnSolvent; // INV-11: the fund takes a loss only from an insolvent account
        } catch {
            _count("realiseLoss", false);
        }
    }

    // =============================================================================================== governance

    /// @dev The guardian raises a market's override (ReduceOnly or Halted).
    function guardianMode(uint256 uSeed, bool halt) external {
        uint16 u = uSeed % 2 == 0 ? ETH : BTC;
        vm.prank(d.guardian);
        try d.oracle.setModeOverride(u, halt ? MarketMode.Halted : MarketMode.ReduceOnly) {
            _count("guardianMode", true);
        } catch {
            _count("guardianMode", false); // not more restrictive
        }
    }

    /// @dev The risk admin (the timelock) clears a guardian override: schedule, wait the delay, execute.
    function timelockClearOverride(uint256 uSeed) external {
        uint16 u = uSeed % 2 == 0 ? ETH : BTC;
        _govern(address(d.oracle), abi.encodeCall(d.oracle.clearModeOverride, (u)), "timelockClearOverride");
    }

    /// @dev A bounded parameter change through the timelock: collateral haircuts, margin parameters, the position
    /// cap, fees, the insurance fee share.
    function timelockParams(uint256 kind, uint256 v) external {
        kind = kind % 5;
        if (kind == 0) {
            bool isWeth = v % 2 == 0;
            uint256 h = bound(v >> 1, 0.05e18, 0.3e18);
            _govern(
                address(d.risk),
                abi.encodeCall(
                    d.risk.setCollateralParams,
                    (isWeth ? address(d.weth) : address(d.wbtc), h, h / 2, isWeth ? 100_000e18 : 5000e18)
                ),
                "timelockHaircut"
            );
        } else if (kind == 1) {
            uint16 u = v % 2 == 0 ? ETH : BTC;
            uint64 imBase = uint64(bound(v >> 1, 0.15e18, 0.25e18));
            uint64 mmBase = uint64(bound(v >> 70, 0.1e18, imBase - 0.01e18));
            _govern(
                address(d.risk),
                abi.encodeCall(d.risk.setUnderlyingParams, (u, _marginParams(u, imBase, mmBase))),
                "timelockMargin"
            );
        } else if (kind == 2) {
            _govern(address(d.risk), abi.encodeCall(d.risk.setPositionCap, (bound(v, 24, 128))), "timelockPositionCap");
        } else if (kind == 3) {
            _govern(
                address(d.exchange),
                abi.encodeCall(d.exchange.setFees, (bound(v, 0, 0.0005e18), bound(v >> 64, 0, 0.001e18), 0.125e18)),
                "timelockFees"
            );
        } else {
            _govern(
                address(d.risk),
                abi.encodeCall(d.risk.setInsuranceFeeShare, (bound(v, 0, 1e18))),
                "timelockFeeShare"
            );
        }
    }

    function _govern(address target, bytes memory data, string memory name) internal {
        // nobody but the timelock holds the role: the proposer calling directly is refused
        vm.prank(d.governor);
        (bool direct, ) = target.call(data);
        if (direct) {
            ++ghost_inv6;
            lastInv6 = string.concat(name, ": admin call without the timelock");
        }
        bytes32 salt = bytes32(++_govSalt);
        uint256 delay = d.timelock.getMinDelay(); // read before the prank (it applies to the next call)
        vm.prank(d.governor);
        d.timelock.schedule(target, 0, data, bytes32(0), salt, delay);
        // executing early is refused
        vm.prank(d.governor);
        try d.timelock.execute(target, 0, data, bytes32(0), salt) {
            ++ghost_inv6;
            lastInv6 = string.concat(name, ": executed before the delay");
        } catch {}
        _warp(delay, 0);
        int256[] memory before = _cashAll();
        vm.prank(d.governor);
        try d.timelock.execute(target, 0, data, bytes32(0), salt) {
            _count(name, true);
            _commit(before, new int256[](before.length), name); // no parameter moves anybody's cash
        } catch {
            _count(name, false);
        }
    }

    /// @dev The timelock (DEFAULT_ADMIN of the clearing house) takes cash out of the insurance fund to a treasury: the
    /// only way the fund's cash leaves, never below its floor.
    function timelockFundWithdraw(uint256 amount) external {
        uint256 amountNative = bound(amount, 1e6, 20_000e6);
        uint256 amountWad = amountNative * 1e12;
        address treasury = makeAddr("treasury");
        bytes memory data = abi.encodeCall(d.ch.withdraw, (fundAcc, address(d.usdc), amountNative, treasury));
        bytes32 salt = bytes32(++_govSalt);
        uint256 delay = d.timelock.getMinDelay();
        vm.prank(d.governor);
        d.timelock.schedule(address(d.ch), 0, data, bytes32(0), salt, delay);
        _warp(delay, 0);
        uint256 claims = _claims(amountWad, true);
        int256[] memory before = _cashAll();
        uint256 received = d.usdc.balanceOf(treasury);
        vm.prank(d.governor);
        try d.timelock.execute(address(d.ch), 0, data, bytes32(0), salt) {
            _count("timelockFundWithdraw", true);
            int256[] memory exp = new int256[](before.length);
            exp[AccountId.unwrap(fundAcc)] = -int256(amountWad); // a deficit fund cannot pay out: claims == tokens
            _commit(before, exp, "timelockFundWithdraw");
            ghost_realised[AccountId.unwrap(fundAcc)] += int256(amountWad);
            ghost_realisedSum += int256(amountWad);
            ghost_out[AccountId.unwrap(fundAcc)] += int256(amountWad);
            ghost_tokensOut += amountWad;
            if (claims != amountWad) ++ghost_fundBelowFloor; // paid out while in deficit
            if (d.usdc.balanceOf(treasury) - received != amountNative) ++ghost_tokenTransferMismatch;
            if (d.ch.cashOf(fundAcc) < int256(d.risk.insuranceFloor())) ++ghost_fundBelowFloor;
        } catch {
            _count("timelockFundWithdraw", false);
        }
    }

    function _marginParams(uint16 u, uint64 imBase, uint64 mmBase) internal pure returns (UnderlyingParams memory) {
        uint96 step = u == ETH ? 50e18 : 1000e18;
        return
            UnderlyingParams({
                imBase: imBase,
                imFloor: 0.1e18,
                mmBase: mmBase,
                mmFloor: 0.075e18,
                rate: 0,
                expiryPeriod: 1 days,
                expiryOffset: 8 hours,
                maxHorizon: 365 days,
                strikeStep: step,
                minStrike: step,
                maxStrike: u == ETH ? 100_000e18 : 1_000_000e18
            });
    }

    // =============================================================================================== INV-10 probe

    /// @dev While exactly one market is degraded (its feed or the guardian), two fresh accounts act only on the other,
    /// healthy market: deposit, a signed fill on one of its series, a surplus withdrawal. Each must work (INV-10).
    function probeConfined(uint256 seed) external {
        (MarketMode mEth, ) = d.oracle.marketState(ETH);
        (MarketMode mBtc, ) = d.oracle.marketState(BTC);
        if ((mEth == MarketMode.Active) == (mBtc == MarketMode.Active)) return; // need one faulted, one healthy
        uint16 healthy = mEth == MarketMode.Active ? ETH : BTC;
        for (uint256 j; j < series.length; ++j) {
            SeriesId c = series[(seed + j) % series.length];
            if (SeriesIdLib.underlying(c) != healthy) continue;
            if (SeriesIdLib.expiry(c) <= block.timestamp + 10 minutes || !_seriesActive(c)) continue;
            _probe(c);
            return;
        }
    }

    function _probe(SeriesId s) internal {
        address pa = vm.addr(PROBE_KEY_A);
        address pb = vm.addr(PROBE_KEY_B);
        vm.prank(pa);
        AccountId a = d.ch.createAccount();
        vm.prank(pb);
        AccountId b = d.ch.createAccount();
        _depositCash(a, pa, 100_000e6);
        _depositCash(b, pb, 100_000e6);
        _probeFill(a, b, pb, s);
        if (!_withdrawCash(a, pa, 1000e6, "probeConfinedWithdraw")) {
            ++ghost_inv10;
            lastInv10 = "withdrawal on the healthy market";
        }
    }

    /// @dev The maker `a` sells, the taker `b` buys: a confined, risk-increasing trade on the healthy market.
    function _probeFill(AccountId a, AccountId b, address pb, SeriesId s) internal {
        uint256 size = _minSize(s) * 10;
        _orders.push(
            Stored(
                Order({
                    account: a,
                    series: s,
                    isBuy: false,
                    size: size,
                    limitPrice: SeriesIdLib.strike(s) / 20,
                    deadline: block.timestamp + 1 hours,
                    nonce: 0,
                    salt: ++_salt,
                    reduceOnly: false,
                    minFillSize: 0,
                    maxFeeRate: MAX_FEE_RATE,
                    operatorEpoch: 0
                }),
                PROBE_KEY_A
            )
        );
        uint256 idx = _orders.length - 1;
        Leg[] memory legs = new Leg[](1);
        legs[0] = _fillLeg(_orders[idx].order, b, size);
        FillRequest[] memory reqs = new FillRequest[](1);
        reqs[0] = FillRequest(_sign(idx), size);
        _orders.pop();
        _Pre memory pre = _pre(legs);
        vm.prank(pb);
        try d.exchange.fill(b, reqs) {
            _count("probeConfinedFill", true);
            _post(legs, pre, true, "probeConfinedFill");
        } catch (bytes memory reason) {
            _count("probeConfinedFill", false);
            ++ghost_inv10;
            lastInv10 = reason;
        }
    }

    // =============================================================================================== helpers

    function _commit(int256[] memory before, int256[] memory exp, string memory what) internal {
        for (uint256 id = 1; id < before.length; ++id) {
            int256 actual = d.ch.cashOf(AccountId.wrap(id)) - before[id];
            if (actual != exp[id]) {
                ++ghost_cashMismatch;
                lastMismatch = string.concat(
                    what,
                    " account ",
                    vm.toString(id),
                    " actual ",
                    vm.toString(actual),
                    " expected ",
                    vm.toString(exp[id])
                );
            }
            ghost_realised[id] += exp[id];
            ghost_realisedSum += exp[id];
        }
    }

    function _cashAll() internal view returns (int256[] memory cash) {
        uint256 n = d.ch.accountCount();
        cash = new int256[](n + 1);
        for (uint256 id = 1; id <= n; ++id) cash[id] = d.ch.cashOf(AccountId.wrap(id));
    }

    /// @dev Cash claims for `amountWad` tokens: 1:1 unless the fund is in deficit (docs/liquidation.md §4).
    function _claims(uint256 amountWad, bool up) internal view returns (uint256) {
        int256 fund = d.ch.cashOf(fundAcc);
        if (fund >= 0) return amountWad;
        uint256 backing = d.usdc.balanceOf(address(d.ch)) * 1e12;
        if (backing == 0) return amountWad;
        uint256 deficit = uint256(-fund);
        return Math.mulDiv(amountWad, backing + deficit, backing, up ? Math.Rounding.Ceil : Math.Rounding.Floor);
    }

    function _part(AccountId a, address token, uint256 fraction) internal view returns (uint256) {
        return (d.ch.collateralOf(a, token) * fraction) / WAD;
    }

    function _moveColl(AccountId from, AccountId to, address token, uint256 amount) internal {
        ghost_coll[AccountId.unwrap(from)][token] -= amount;
        ghost_coll[AccountId.unwrap(to)][token] += amount;
    }

    function _initial(AccountId a) internal view returns (int256 margin, uint256 im) {
        int256 e;
        (e, im, ) = d.ch.accountMargin(a);
        margin = e - int256(im);
    }

    function _allActive() internal view returns (bool) {
        for (uint16 u = 1; u <= 2; ++u) {
            (MarketMode m, ) = d.oracle.marketState(u);
            if (m != MarketMode.Active) return false;
            for (uint256 i; i < expiries.length; ++i) {
                (, MarketMode vm_) = d.volOracle.vol(u, expiries[i]);
                if (vm_ != MarketMode.Active) return false;
            }
        }
        return true;
    }

    function _seriesActive(SeriesId s) internal view returns (bool) {
        (MarketMode m, ) = d.oracle.marketState(SeriesIdLib.underlying(s));
        (, MarketMode v) = d.volOracle.vol(SeriesIdLib.underlying(s), SeriesIdLib.expiry(s));
        return m == MarketMode.Active && v == MarketMode.Active;
    }

    function _trackHeaviest(AccountId a) internal {
        (SeriesId[] memory ids, ) = d.ch.positionsOf(a);
        if (ids.length > heaviestCount) (heaviestCount, heaviestId) = (ids.length, AccountId.unwrap(a));
    }

    function _liveAuction(uint256 who) internal view returns (bool, AccountId) {
        for (uint256 k; k < USERS; ++k) {
            AccountId a = users[(who + k) % USERS];
            if (d.liq.auctionOf(a).startedAt != 0) return (true, a);
        }
        return (false, AccountId.wrap(0));
    }

    function _liveSeries(uint256 seed) internal view returns (bool, SeriesId) {
        for (uint256 j; j < series.length; ++j) {
            SeriesId s = series[(seed + j) % series.length];
            if (SeriesIdLib.expiry(s) > block.timestamp + 10 minutes) return (true, s);
        }
        return (false, SeriesId.wrap(0));
    }

    function _userIndex(AccountId a) internal view returns (uint256) {
        for (uint256 i; i < USERS; ++i) if (users[i] == a) return i;
        revert("not a user");
    }

    function _feed(uint16 u) internal view returns (MockAggregator) {
        return u == ETH ? d.ethFeed : d.btcFeed;
    }

    function _minSize(SeriesId s) internal pure returns (uint256) {
        return SeriesIdLib.underlying(s) == ETH ? 0.01e18 : 0.001e18;
    }

    function _boundSize(SeriesId s, uint256 size) internal pure returns (uint256) {
        return SeriesIdLib.underlying(s) == ETH ? bound(size, 0.01e18, 8e18) : bound(size, 0.001e18, 0.4e18);
    }

    /// @dev Premium per contract: up to 15% of the strike.
    function _boundPrice(SeriesId s, uint256 price) internal pure returns (uint256) {
        return bound(price, 0, (SeriesIdLib.strike(s) * 15) / 100);
    }

    function _reduces(int256 oldSize, int256 newSize) internal pure returns (bool) {
        return oldSize > 0 ? (newSize >= 0 && newSize < oldSize) : (oldSize < 0 && newSize <= 0 && newSize > oldSize);
    }

    function _long(int256 x) internal pure returns (int256) {
        return x > 0 ? x : int256(0);
    }

    function _mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return (x * y + WAD - 1) / WAD;
    }
}
