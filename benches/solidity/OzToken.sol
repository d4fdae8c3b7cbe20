// SPDX-License-Identifier: MIT
// The Solidity baseline of the gas benchmark (issue 9): OpenZeppelin Contracts 5 ERC20 + ERC20Permit +
// ERC20Burnable with the same name, symbol and decimals as ComputeToken, nothing else.
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";

contract OzToken is ERC20, ERC20Permit, ERC20Burnable {
    constructor(address holder, uint256 supply) ERC20("Compute Token", "CT") ERC20Permit("Compute Token") {
        _mint(holder, supply);
    }
}
