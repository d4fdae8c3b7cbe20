// The Solidity example dApp (examples/solidity/ComputeJobClient.sol), deployed on the dev chain next
// to the Stylus contracts and driven with ethers.js. `loadFixture` snapshots the chain after the
// fixture and reverts to it for every test; `time.increase` moves the dev chain's clock.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time } = require("@nomicfoundation/hardhat-network-helpers");
const { stylusSystem, CT, USD, b32 } = require("./deployment");

const PRICE = 2n * USD; // per GPU-hour
const HOUR = 3600n;

async function dappFixture() {
  const [deployer, alice, bob, provider, provider2] = await ethers.getSigners();
  const sys = await stylusSystem();
  const client = await ethers.deployContract("ComputeJobClient", [
    sys.d.token,
    sys.d.controller,
    sys.d.escrow,
    sys.d.market,
  ]);
  await client.waitForDeployment();
  // CT from the genesis holder (the deployer on the dev chain).
  for (const who of [alice, bob, provider, provider2]) await (await sys.token.transfer(who, 50_000n * CT)).wait();
  // Two providers with one GPU each, staked.
  for (const [p, model] of [
    [provider, "NVIDIA H100"],
    [provider2, "NVIDIA A100"],
  ]) {
    await (await sys.registry.connect(p).register(b32(model), 1, 80, b32("eu-west"), "ipfs://p")).wait();
    await (await sys.token.connect(p).approve(sys.d.registry, ethers.MaxUint256)).wait();
    await (await sys.registry.connect(p).stake(10_000n * CT)).wait();
  }
  return { ...sys, client, deployer, alice, bob, provider, provider2 };
}

/** Keeps the manual feed fresh after time travel (the controller refuses a stale price). */
async function refreshPrice(feed, deployer) {
  const [, answer] = await feed.latestRoundData();
  await (await feed.connect(deployer).updateAnswer(answer)).wait();
}

/** alice buys credits through the dApp and opens a one-GPU, one-hour job for `provider`. */
async function openJob({ token, client, alice, provider }) {
  await (await token.connect(alice).approve(client, 1_000n * CT)).wait();
  await (await client.connect(alice).buyCredits(1_000n * CT, 1)).wait();
  const tx = await client.connect(alice).createJob(provider, b32("spec"), 1, HOUR, PRICE);
  const rc = await tx.wait();
  const opened = rc.logs.map((l) => client.interface.parseLog(l)).find((e) => e?.name === "JobOpened");
  return opened.args.jobId;
}

describe("ComputeJobClient on the dev chain", function () {
  it("buys credits for a user, runs a job through the Stylus escrow and returns the unused budget", async function () {
    const f = await loadFixture(dappFixture);
    const { token, client, escrow, alice, provider } = f;
    const before = await token.balanceOf(provider);
    const id = await openJob(f);
    const budget = await client.budgetOf(alice);
    expect(await client.ownerOf(id)).to.equal(alice.address);
    const job = await escrow.job(id);
    // Named outputs from abi/: ethers reads them by name.
    expect(job.requester).to.equal(await client.getAddress());
    expect(job.maxCost).to.equal(PRICE); // 1 GPU × 1 h
    expect(await client.lockedFor(id)).to.equal(job.maxCost);

    await (await escrow.connect(provider).acceptJob(id)).wait();
    await (await escrow.connect(provider).submitResult(id, b32("result"), 3600)).wait();
    await expect(client.connect(f.bob).approve(id))
      .to.be.revertedWithCustomError(client, "NotJobOwner")
      .withArgs(id, f.bob.address);
    await expect(client.connect(alice).approve(id))
      .to.emit(client, "JobSettled")
      .withArgs(alice.address, id, PRICE, 0);
    expect((await escrow.job(id)).state).to.equal(4); // Completed
    expect(await token.balanceOf(provider)).to.be.greaterThan(before);
    expect(await client.budgetOf(alice)).to.equal(budget);
  });

  it("starts every test from the fixture's snapshot (loadFixture)", async function () {
    const { client, alice, escrow } = await loadFixture(dappFixture);
    expect(await client.budgetOf(alice)).to.equal(0n);
    expect(await escrow.jobCount()).to.equal(0n);
  });

  it("books a job finalised by anyone after the challenge window (time.increase)", async function () {
    const f = await loadFixture(dappFixture);
    const { client, escrow, alice, provider, feed, deployer } = f;
    const id = await openJob(f);
    await (await escrow.connect(provider).acceptJob(id)).wait();
    await (await escrow.connect(provider).submitResult(id, b32("result"), 1800)).wait();
    await expect(client.sync(id)).to.be.revertedWithCustomError(client, "JobNotEnded").withArgs(id, 3);

    const until = (await escrow.job(id)).until;
    const t0 = await time.latest();
    await time.increaseTo(until + 1n);
    expect(BigInt(await time.latest())).to.equal(until + 1n);
    expect(BigInt(await time.latest()) - BigInt(t0)).to.be.greaterThan(3000n);
    await refreshPrice(feed, deployer);
    await (await escrow.connect(f.bob).finalize(id)).wait();
    // Charged the minimum of one hour (max(used, min(1 h, maxDuration))): nothing comes back.
    await expect(client.sync(id)).to.emit(client, "JobSettled").withArgs(alice.address, id, PRICE, 0);
    // Booked once; unknown ids are refused.
    await expect(client.sync(id)).not.to.emit(client, "JobSettled");
    await expect(client.sync(id + 1n))
      .to.be.revertedWithCustomError(client, "UnknownJob")
      .withArgs(id + 1n);
  });

  it("refunds a job whose provider never submits, after the deadline (time.increase)", async function () {
    const f = await loadFixture(dappFixture);
    const { client, escrow, alice, provider } = f;
    const id = await openJob(f);
    await (await escrow.connect(provider).acceptJob(id)).wait();
    const job = await escrow.job(id);
    await time.increase(job.until - BigInt(await time.latest()) + 1n);
    await (await escrow.connect(f.bob).claimTimeout(id)).wait();
    expect((await escrow.job(id)).state).to.equal(8); // Expired: full refund, provider slashed
    const budget = await client.budgetOf(alice);
    await expect(client.sync(id)).to.emit(client, "JobSettled").withArgs(alice.address, id, 0, job.maxCost);
    expect(await client.budgetOf(alice)).to.equal(budget + job.maxCost);
  });

  it("runs a reverse auction from the dApp: two bids, the user awards the lower, the rest comes back", async function () {
    const f = await loadFixture(dappFixture);
    const { token, client, escrow, market, alice, provider, provider2 } = f;
    await (await token.connect(alice).approve(client, 1_000n * CT)).wait();
    await (await client.connect(alice).buyCredits(1_000n * CT, 1)).wait();
    const budget = await client.budgetOf(alice);
    const anyProvider = {
      gpuModel: ethers.ZeroHash,
      minVramGiB: 0,
      minSuccessBps: 0,
      minCompletedJobs: 0,
      minActiveStake: 0,
      attestedOnly: false,
    };
    const rc = await (await client.connect(alice).openAuction(b32("spec"), 1, HOUR, PRICE, 600, anyProvider)).wait();
    const id = rc.logs.map((l) => client.interface.parseLog(l)).find((e) => e?.name === "JobOpened").args.jobId;
    // The auction's job is the dApp's, locked at the maximum price, named to the market.
    const job = await escrow.job(id);
    expect(job.requester).to.equal(await client.getAddress());
    expect(job.provider).to.equal(ethers.getAddress(f.d.market));
    expect(job.maxCost).to.equal(PRICE);
    expect(await client.budgetOf(alice)).to.equal(budget - PRICE);
    const requirements = await market.requirements(id);
    expect(requirements.attestedOnly).to.equal(false);

    // The requester cannot bid; providers bid below the maximum; bids come back as a struct array.
    await (await market.connect(provider).bid(id, (PRICE * 9n) / 10n)).wait();
    await (await market.connect(provider2).bid(id, (PRICE * 3n) / 4n)).wait();
    const bids = await market.bids(id);
    expect(bids.map((b) => [b.provider, b.pricePerGpuHour])).to.deep.equal([
      [provider.address, (PRICE * 9n) / 10n],
      [provider2.address, (PRICE * 3n) / 4n],
    ]);
    await expect(market.connect(provider).bid(id, PRICE + 1n))
      .to.be.revertedWithCustomError(market, "JobMarketInvalidPrice");
    await expect(client.connect(f.bob).award(id, provider2))
      .to.be.revertedWithCustomError(client, "NotJobOwner")
      .withArgs(id, f.bob.address);

    await expect(client.connect(alice).award(id, provider2))
      .to.emit(market, "AuctionAwarded")
      .withArgs(id, provider2.address, (PRICE * 3n) / 4n, true);
    const awarded = await escrow.job(id);
    expect(awarded.state).to.equal(2); // Running
    expect(awarded.provider).to.equal(provider2.address);
    expect(awarded.maxCost).to.equal((PRICE * 3n) / 4n);

    await (await escrow.connect(provider2).submitResult(id, b32("result"), 3600)).wait();
    await expect(client.connect(alice).approve(id))
      .to.emit(client, "JobSettled")
      .withArgs(alice.address, id, (PRICE * 3n) / 4n, PRICE / 4n);
    // Paid the winning price; the award's early unlock came back with the rest.
    expect(await client.budgetOf(alice)).to.equal(budget - (PRICE * 3n) / 4n);
  });

  it("cancels an auction from the dApp before any award", async function () {
    const f = await loadFixture(dappFixture);
    const { token, client, escrow, alice } = f;
    await (await token.connect(alice).approve(client, 1_000n * CT)).wait();
    await (await client.connect(alice).buyCredits(1_000n * CT, 1)).wait();
    const budget = await client.budgetOf(alice);
    const rc = await (
      await client.connect(alice).openAuction(b32("spec"), 1, HOUR, PRICE, 600, {
        gpuModel: ethers.ZeroHash,
        minVramGiB: 0,
        minSuccessBps: 0,
        minCompletedJobs: 0,
        minActiveStake: 0,
        attestedOnly: true,
      })
    ).wait();
    const id = rc.logs.map((l) => client.interface.parseLog(l)).find((e) => e?.name === "JobOpened").args.jobId;
    // Nobody is attested: the provider's bid is refused with reason 8 (not attested).
    await expect(f.market.connect(f.provider).bid(id, PRICE))
      .to.be.revertedWithCustomError(f.market, "JobMarketNotQualified")
      .withArgs(id, f.provider.address, 8);
    await expect(client.connect(alice).cancelAuction(id)).to.emit(client, "JobSettled").withArgs(alice.address, id, 0, PRICE);
    expect((await escrow.job(id)).state).to.equal(5); // Cancelled
    expect(await client.budgetOf(alice)).to.equal(budget);
  });
});
