// OpenZeppelin's ERC-20 behaviour expectations that apply to CT, checked through ethers.js against
// the ComputeToken deployed on the dev chain. Written from the specifications (EIP-20, EIP-2612,
// ERC-5267, ERC-6093) and OpenZeppelin Contracts 5.x's documented behaviour of ERC20, ERC20Burnable
// and ERC20Permit: custom errors with their arguments, events, unlimited allowances, no Approval
// event when an allowance is spent, permit nonces and deadlines. Minting is not covered: only
// the controller and Emissions may mint CT (MINTER_ROLE), the system's own tests cover that.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, setBalance, time } = require("@nomicfoundation/hardhat-network-helpers");
const { stylusSystem, CT } = require("./deployment");

const INITIAL = 100n * CT;

async function tokenFixture() {
  const [deployer] = await ethers.getSigners();
  const { token } = await stylusSystem();
  // Fresh accounts (whatever other tests did on this chain), with gas money (setBalance).
  const [initialHolder, recipient, spender, other] = await Promise.all(
    [0, 1, 2, 3].map(async () => {
      const w = ethers.Wallet.createRandom().connect(ethers.provider);
      await setBalance(w.address, 10n ** 18n);
      return w;
    }),
  );
  // A known balance (the genesis supply sits with the deployer).
  await (await token.connect(deployer).transfer(initialHolder, INITIAL)).wait();
  return { token, deployer, initialHolder, recipient, spender, other };
}

/** The EIP-712 domain as ERC-5267 describes it: the fields bitmap says which members are used. */
async function domainOf(token) {
  const d = await token.eip712Domain();
  const domain = {};
  const fields = Number(d.fields);
  if (fields & 0x01) domain.name = d.name;
  if (fields & 0x02) domain.version = d.version;
  if (fields & 0x04) domain.chainId = d.chainId;
  if (fields & 0x08) domain.verifyingContract = d.verifyingContract;
  if (fields & 0x10) domain.salt = d.salt;
  expect(d.extensions).to.deep.equal([]);
  return domain;
}

const PERMIT = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

describe("ComputeToken: ERC-20 behaviour (OpenZeppelin's expectations)", function () {
  describe("metadata and supply", function () {
    it("has its name, symbol and 18 decimals", async function () {
      const { token } = await loadFixture(tokenFixture);
      expect(await token.name()).to.equal("Compute Token");
      expect(await token.symbol()).to.equal("CT");
      expect(await token.decimals()).to.equal(18n);
    });

    it("reports balances, zero for an account that never held any", async function () {
      const { token, initialHolder, other } = await loadFixture(tokenFixture);
      expect(await token.balanceOf(initialHolder)).to.equal(INITIAL);
      expect(await token.balanceOf(other)).to.equal(0n);
    });
  });

  describe("transfer", function () {
    it("moves the value, emits Transfer and returns true", async function () {
      const { token, initialHolder, recipient } = await loadFixture(tokenFixture);
      expect(await token.connect(initialHolder).transfer.staticCall(recipient, INITIAL)).to.equal(true);
      const tx = token.connect(initialHolder).transfer(recipient, INITIAL);
      await expect(tx).to.emit(token, "Transfer").withArgs(initialHolder.address, recipient.address, INITIAL);
      await expect(tx).to.changeTokenBalances(token, [initialHolder, recipient], [-INITIAL, INITIAL]);
    });

    it("reverts with ERC20InsufficientBalance when the sender has too little", async function () {
      const { token, initialHolder, recipient } = await loadFixture(tokenFixture);
      await expect(token.connect(initialHolder).transfer(recipient, INITIAL + 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(initialHolder.address, INITIAL, INITIAL + 1n);
    });

    it("reverts with ERC20InvalidReceiver for the zero address", async function () {
      const { token, initialHolder } = await loadFixture(tokenFixture);
      await expect(token.connect(initialHolder).transfer(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("transfers zero and to oneself like any other value", async function () {
      const { token, initialHolder, recipient } = await loadFixture(tokenFixture);
      await expect(token.connect(initialHolder).transfer(recipient, 0n))
        .to.emit(token, "Transfer")
        .withArgs(initialHolder.address, recipient.address, 0n);
      const tx = token.connect(initialHolder).transfer(initialHolder, INITIAL);
      await expect(tx).to.emit(token, "Transfer").withArgs(initialHolder.address, initialHolder.address, INITIAL);
      await expect(tx).to.changeTokenBalance(token, initialHolder, 0n);
    });

    it("keeps the total supply", async function () {
      const { token, initialHolder, recipient } = await loadFixture(tokenFixture);
      const supply = await token.totalSupply();
      await (await token.connect(initialHolder).transfer(recipient, 1n)).wait();
      expect(await token.totalSupply()).to.equal(supply);
    });
  });

  describe("approve", function () {
    it("sets the allowance, emits Approval and returns true; a new approve replaces it", async function () {
      const { token, initialHolder, spender } = await loadFixture(tokenFixture);
      expect(await token.connect(initialHolder).approve.staticCall(spender, 5n)).to.equal(true);
      await expect(token.connect(initialHolder).approve(spender, 5n))
        .to.emit(token, "Approval")
        .withArgs(initialHolder.address, spender.address, 5n);
      expect(await token.allowance(initialHolder, spender)).to.equal(5n);
      await (await token.connect(initialHolder).approve(spender, 3n)).wait();
      expect(await token.allowance(initialHolder, spender)).to.equal(3n);
    });

    it("allows more than the balance", async function () {
      const { token, initialHolder, spender } = await loadFixture(tokenFixture);
      await (await token.connect(initialHolder).approve(spender, INITIAL * 10n)).wait();
      expect(await token.allowance(initialHolder, spender)).to.equal(INITIAL * 10n);
    });

    it("reverts with ERC20InvalidSpender for the zero address", async function () {
      const { token, initialHolder } = await loadFixture(tokenFixture);
      await expect(token.connect(initialHolder).approve(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidSpender")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("transferFrom", function () {
    it("spends the allowance, moves the value, emits Transfer and no Approval", async function () {
      const { token, initialHolder, recipient, spender } = await loadFixture(tokenFixture);
      await (await token.connect(initialHolder).approve(spender, INITIAL)).wait();
      expect(await token.connect(spender).transferFrom.staticCall(initialHolder, recipient, 40n)).to.equal(true);
      const tx = token.connect(spender).transferFrom(initialHolder, recipient, 40n);
      await expect(tx).to.emit(token, "Transfer").withArgs(initialHolder.address, recipient.address, 40n);
      await expect(tx).not.to.emit(token, "Approval");
      await expect(tx).to.changeTokenBalances(token, [initialHolder, recipient], [-40n, 40n]);
      expect(await token.allowance(initialHolder, spender)).to.equal(INITIAL - 40n);
    });

    it("reverts with ERC20InsufficientAllowance before looking at the balance", async function () {
      const { token, initialHolder, recipient, spender } = await loadFixture(tokenFixture);
      await (await token.connect(initialHolder).approve(spender, 10n)).wait();
      await expect(token.connect(spender).transferFrom(initialHolder, recipient, 11n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(spender.address, 10n, 11n);
      await expect(token.connect(spender).transferFrom(initialHolder, recipient, INITIAL + 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(spender.address, 10n, INITIAL + 1n);
    });

    it("reverts with ERC20InsufficientBalance when the allowance covers more than the balance", async function () {
      const { token, initialHolder, recipient, spender } = await loadFixture(tokenFixture);
      await (await token.connect(initialHolder).approve(spender, INITIAL * 2n)).wait();
      await expect(token.connect(spender).transferFrom(initialHolder, recipient, INITIAL + 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(initialHolder.address, INITIAL, INITIAL + 1n);
      expect(await token.allowance(initialHolder, spender)).to.equal(INITIAL * 2n);
    });

    it("never decreases an unlimited allowance", async function () {
      const { token, initialHolder, recipient, spender } = await loadFixture(tokenFixture);
      await (await token.connect(initialHolder).approve(spender, ethers.MaxUint256)).wait();
      await (await token.connect(spender).transferFrom(initialHolder, recipient, INITIAL)).wait();
      expect(await token.allowance(initialHolder, spender)).to.equal(ethers.MaxUint256);
    });

    it("reverts with ERC20InvalidReceiver for the zero address", async function () {
      const { token, initialHolder, spender } = await loadFixture(tokenFixture);
      await (await token.connect(initialHolder).approve(spender, INITIAL)).wait();
      await expect(token.connect(spender).transferFrom(initialHolder, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("needs an allowance even for one's own tokens", async function () {
      const { token, initialHolder, recipient } = await loadFixture(tokenFixture);
      await expect(token.connect(initialHolder).transferFrom(initialHolder, recipient, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(initialHolder.address, 0n, 1n);
    });
  });

  describe("burn and burnFrom (ERC20Burnable)", function () {
    it("burn destroys the caller's tokens: Transfer to zero, lower supply", async function () {
      const { token, initialHolder } = await loadFixture(tokenFixture);
      const supply = await token.totalSupply();
      const tx = token.connect(initialHolder).burn(30n);
      await expect(tx).to.emit(token, "Transfer").withArgs(initialHolder.address, ethers.ZeroAddress, 30n);
      await expect(tx).to.changeTokenBalance(token, initialHolder, -30n);
      expect(await token.totalSupply()).to.equal(supply - 30n);
    });

    it("burn reverts with ERC20InsufficientBalance beyond the balance", async function () {
      const { token, initialHolder } = await loadFixture(tokenFixture);
      await expect(token.connect(initialHolder).burn(INITIAL + 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(initialHolder.address, INITIAL, INITIAL + 1n);
    });

    it("burnFrom spends the allowance and burns", async function () {
      const { token, initialHolder, spender } = await loadFixture(tokenFixture);
      const supply = await token.totalSupply();
      await (await token.connect(initialHolder).approve(spender, 50n)).wait();
      const tx = token.connect(spender).burnFrom(initialHolder, 20n);
      await expect(tx).to.emit(token, "Transfer").withArgs(initialHolder.address, ethers.ZeroAddress, 20n);
      await expect(tx).not.to.emit(token, "Approval");
      expect(await token.allowance(initialHolder, spender)).to.equal(30n);
      expect(await token.totalSupply()).to.equal(supply - 20n);
    });

    it("burnFrom reverts with ERC20InsufficientAllowance, then ERC20InsufficientBalance", async function () {
      const { token, initialHolder, spender } = await loadFixture(tokenFixture);
      await expect(token.connect(spender).burnFrom(initialHolder, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(spender.address, 0n, 1n);
      await (await token.connect(initialHolder).approve(spender, ethers.MaxUint256)).wait();
      await expect(token.connect(spender).burnFrom(initialHolder, INITIAL + 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(initialHolder.address, INITIAL, INITIAL + 1n);
    });
  });

  describe("permit (ERC-2612) and the EIP-712 domain (ERC-5267)", function () {
    it("eip712Domain names its outputs and matches DOMAIN_SEPARATOR", async function () {
      const { token } = await loadFixture(tokenFixture);
      const d = await token.eip712Domain();
      expect(d.fields).to.equal("0x0f");
      expect(d.name).to.equal("Compute Token");
      expect(d.version).to.equal("1");
      expect(d.chainId).to.equal((await ethers.provider.getNetwork()).chainId);
      expect(d.verifyingContract).to.equal(ethers.getAddress(await token.getAddress()));
      expect(d.salt).to.equal(ethers.ZeroHash);
      expect(await token.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain(await domainOf(token)));
    });

    it("sets the allowance from the owner's signature, emits Approval and uses the nonce", async function () {
      const { token, initialHolder, spender, other } = await loadFixture(tokenFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const nonce = await token.nonces(initialHolder);
      const value = 42n;
      const sig = ethers.Signature.from(
        await initialHolder.signTypedData(await domainOf(token), PERMIT, {
          owner: initialHolder.address,
          spender: spender.address,
          value,
          nonce,
          deadline,
        }),
      );
      // Anyone may submit the signature.
      await expect(token.connect(other).permit(initialHolder, spender, value, deadline, sig.v, sig.r, sig.s))
        .to.emit(token, "Approval")
        .withArgs(initialHolder.address, spender.address, value);
      expect(await token.allowance(initialHolder, spender)).to.equal(value);
      expect(await token.nonces(initialHolder)).to.equal(nonce + 1n);

      // A replay recovers another signer for the new nonce.
      const replay = token.permit(initialHolder, spender, value, deadline, sig.v, sig.r, sig.s);
      await expect(replay).to.be.revertedWithCustomError(token, "ERC2612InvalidSigner");
    });

    it("rejects a signature by someone else with ERC2612InvalidSigner(signer, owner)", async function () {
      const { token, initialHolder, spender, other } = await loadFixture(tokenFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = ethers.Signature.from(
        await other.signTypedData(await domainOf(token), PERMIT, {
          owner: initialHolder.address,
          spender: spender.address,
          value: 1n,
          nonce: 0n,
          deadline,
        }),
      );
      await expect(token.permit(initialHolder, spender, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(other.address, initialHolder.address);
    });

    it("rejects an expired permit with ERC2612ExpiredSignature(deadline)", async function () {
      const { token, initialHolder, spender } = await loadFixture(tokenFixture);
      const deadline = BigInt(await time.latest()) + 60n;
      const sig = ethers.Signature.from(
        await initialHolder.signTypedData(await domainOf(token), PERMIT, {
          owner: initialHolder.address,
          spender: spender.address,
          value: 1n,
          nonce: await token.nonces(initialHolder),
          deadline,
        }),
      );
      await time.increase(61);
      await expect(token.permit(initialHolder, spender, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
        .withArgs(deadline);
    });
  });
});
