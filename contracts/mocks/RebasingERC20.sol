// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RebasingERC20
/// @notice Share-based rebasing token (stETH/AMPL-style): balances are `shares * index / 1e18`, and `rebase` moves
/// every holder's balance at once without a transfer. Amounts convert to shares rounded down. Never deployed outside
/// test networks.
contract RebasingERC20 {
    error RebasingERC20_InsufficientBalance(address account, uint256 shares, uint256 needed);
    error RebasingERC20_InsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    // ERC-20 metadata names are fixed by the standard
    // solhint-disable-next-line const-name-snakecase
    string public constant name = "Rebasing";
    // solhint-disable-next-line const-name-snakecase
    string public constant symbol = "REB";
    uint8 public immutable decimals;
    /// @notice Balance per share, WAD (1e18 = one token unit per share).
    uint256 public index = 1e18;
    uint256 public totalShares;
    mapping(address account => uint256) public sharesOf;
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    constructor(uint8 decimals_) {
        decimals = decimals_;
    }

    /// @notice Sets the balance per share (a positive or negative rebase for every holder).
    function rebase(uint256 newIndex) external {
        index = newIndex;
    }

    /// @notice Anyone may mint: test-only token.
    function mint(address to, uint256 amount) external {
        uint256 shares = (amount * 1e18) / index;
        sharesOf[to] += shares;
        totalShares += shares;
        emit Transfer(address(0), to, amount);
    }

    function balanceOf(address account) public view returns (uint256) {
        return (sharesOf[account] * index) / 1e18;
    }

    function totalSupply() external view returns (uint256) {
        return (totalShares * index) / 1e18;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount) revert RebasingERC20_InsufficientAllowance(msg.sender, allowed, amount);
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) internal {
        uint256 shares = (amount * 1e18) / index;
        uint256 held = sharesOf[from];
        if (held < shares) revert RebasingERC20_InsufficientBalance(from, held, shares);
        sharesOf[from] = held - shares;
        sharesOf[to] += shares;
        emit Transfer(from, to, amount);
    }
}
