import { mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { u8aToHex } from '@polkadot/util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  KeysError,
  canonicalPrivateKey,
  createWallet,
  cryptoReady,
  decryptKeyfileData,
  deriveKeyfileKey,
  encryptKeyfileData,
  envVarNameForKeyfile,
  isValidSs58Address,
  publicKeyOf,
  ss58Encode,
  keyfileJson,
  keypairFromAddress,
  keypairFromMnemonic,
  keypairFromPrivateKey,
  keypairFromSeed,
  keypairFromUri,
  parseKeyfile,
  passwordFromEnvironment,
  passwordToEnvironmentValue,
  serializeKeyfile,
  sign,
  verify,
} from '../../src/keys/index.js';
import { thrownCode } from '../helpers/helpers.js';

// python-wire.md §9.3
const MNEMONIC = 'old leopard transfer rib spatial phone calm indicate online fire caution review';
const SS58 = '5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX';
const PUBKEY = '0xe4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446';
const PRIVATE_KEY =
  '0x1f1995bdf3a17b60626a26cfe6f564b337d46056b7a1281b64c649d592ccda0a9cffd34d9fb01cae1fba61aeed184c817442a2186d5172416729a4b54dd4b84e';
const SEED = '0xda3cf5b1e9144931a0f0db65664aab662673b099415a7f8121b7245fb0be4143';
// §9.6
const SIG_MESSAGE =
  '1700000000000000000.5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX.5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a.a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a';
const SIGNATURE =
  '0xe6e03ce18cb4ce6fc100919d11b89703fca8c49053b4d9324dd33b9e118ecd1611a0b892f56bf0b0f7a12f21d424b048004d2e7b0ed401b29d847ca05241da86';
// §9.7
const PASSWORD = 'bittensor-test-password';
const ARGON_KEY = '0x82203c047bdb97fc7cf193a3d85d191bb5af06d5411c611c8b1469a2308c1f1b';
const NACL_FILE =
  '244e41434c000102030405060708090a0b0c0d0e0f1011121314151617dbfc9826765af0cfc69766341e88afefc2b0f0925af87ff601b534d70d0d2a94fbeb8c73c7c60988f9b68bfcb70ac6482553160b298e961f40c6eb7d2e0fe8ab3a5db6f33ffe35b4deda6889685ef5f938563ceeb71e119a2aad2ed40d62dff158310b764a91a23266bafa813e9043f9083f23b3269bd0ecd77b5eaf4f4243ee2a236dbc76662adb387ed7b2f519149102f8f1449f95313fca42d08c8fe36e1f2fbd4d1560d6e7f3375012ea7a2ff3ca4c0b2a2458e52c4f1fe3f8f376ff762680af529232b344448a33745e57a64852252f26c637644ecbef300df639fcd623476309a58b607db8c5872a80b08a41aa7df722bc2c3b2d8639a4f9d4b487c14976cc1f27b8a2a84c8ee58c17386b6e8cd4f8008d091a93635fac81548e2af4c7136c0e19955fb0cf6c38874e942eea706a6118c5923924c5a394d6d8249cded8d6d96de6e79822c08256ced531962e4f9e448fc63a4a83ddba03dfb208fb3b6a04b5cae826b8aab5f56437a7fb1b1c3ae4c6ecd0ad19454625b52382404a53189192ea63b6a9ffd667644241a49eb90375a0a12c4ff4b872ddfcd5f4515e60774e15819914f3c303d62e77aca664b4c4cf56e6d6dea1a7506b3e11b02435ca3534446a4dbbfa8d7fa76f5a01db880890b3910af4bab56a072481ef762a1cbd3f6a91ca4ff4c5f1c3125b96be8dc8835b5a409d0b18e2542d7e28937f3bbebcfa435d45853592c50252824bcb50c5e693687d2471d0c680f38d6f63961da36bd5aef6048092881f381efdd3d3744eceb0ef2b3417b1497ac2a0';

const keysErrorCode = (p: Promise<unknown> | (() => unknown)): Promise<string> => thrownCode(KeysError, p);

describe('keypairs (python-wire.md §5.2, §9.3)', () => {
  it('derives the vector keypair from its mnemonic', () => {
    const kp = keypairFromMnemonic(MNEMONIC);
    expect(kp.ss58Address).toBe(SS58);
    expect(u8aToHex(kp.publicKey)).toBe(PUBKEY);
    expect(u8aToHex(kp.seed)).toBe(SEED);
    expect(canonicalPrivateKey(kp)).toBe(PRIVATE_KEY);
  });

  it('gets the same key from the seed and from the canonical private key', () => {
    expect(keypairFromSeed(SEED).ss58Address).toBe(SS58);
    const fromPrivate = keypairFromPrivateKey(PRIVATE_KEY);
    expect(fromPrivate.ss58Address).toBe(SS58);
    expect(canonicalPrivateKey(fromPrivate)).toBe(PRIVATE_KEY);
  });

  it.each([
    [`${MNEMONIC}//Alice`, '5FEiH8iuDUw271xbqWTWuB6WrDjv5dnCeDX1CyHubAniXDNN'],
    [`${MNEMONIC}/Alice`, '5GNXbA46ma5dg19GXdiKi5JH3mnkZ8Yea3bBtZAvj7t99P9i'],
    ['//Alice', '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'],
    ['//Bob/test', '5CJGwWiKXSE16WJaxBdPZhWqUYkotgenLUALv7ZvqQ4TXeqf'],
    ['/Bob//test', '5Cwc8tShrshDJUp1P1M21dKUTcYQpV9GcfSa4hUBNmMdV3Cx'],
    ['//PathNameLongerThan32BytesWhichShouldBeHashed', '5GR5pfZeNs1uQiSWVxZaQiZou3wdZiX894eqgvfNfHbEh7W2'],
  ])('derives %s', (uri, address) => {
    expect(keypairFromUri(uri).ss58Address).toBe(address);
  });

  it('rejects bad mnemonics, seeds, keys and addresses with typed errors', async () => {
    expect(
      await keysErrorCode(() =>
        keypairFromMnemonic('old leopard transfer rib spatial phone calm indicate online fire caution caution'),
      ),
    ).toBe('KEY_INVALID_MNEMONIC');
    expect(await keysErrorCode(() => keypairFromSeed('0x1234'))).toBe('KEY_INVALID_SEED');
    expect(await keysErrorCode(() => keypairFromSeed('not hex'))).toBe('KEY_INVALID_SEED');
    expect(await keysErrorCode(() => keypairFromPrivateKey('0x00'))).toBe('KEY_INVALID_PRIVATE_KEY');
    expect(await keysErrorCode(() => keypairFromAddress('5NotAnAddress'))).toBe('KEY_INVALID_ADDRESS');
    expect(await keysErrorCode(() => keypairFromUri(''))).toBe('KEY_INVALID_URI');
    expect(await keysErrorCode(() => sign(keypairFromAddress(SS58), 'x'))).toBe('KEY_NO_SECRET');
    expect(isValidSs58Address(SS58)).toBe(true);
    expect(isValidSs58Address('5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsY')).toBe(false);
  });

  it('remembers checked addresses without changing any answer, and hands out copies of decoded keys', () => {
    // Past the 4096 remembered: the first ones are checked afresh, with the same answers.
    const addresses = Array.from({ length: 5000 }, (_, i) =>
      ss58Encode(new Uint8Array(32).fill(i % 251).map((b, j) => (j === 0 ? i >> 8 : b))),
    );
    for (const a of addresses) expect(isValidSs58Address(a)).toBe(true);
    expect(addresses.every((a) => isValidSs58Address(a))).toBe(true);
    expect(isValidSs58Address(`${SS58.slice(0, -1)}Z`)).toBe(false);
    const first = publicKeyOf(SS58);
    first.fill(0);
    expect(publicKeyOf(SS58)).not.toEqual(first); // the remembered key was not changed through the copy
    expect(ss58Encode(publicKeyOf(SS58))).toBe(SS58);
  });
});

describe('signatures (python-wire.md §2.1, §9.6)', () => {
  it('verifies the vector signature on both backends', async () => {
    expect(verify(SIG_MESSAGE, SIGNATURE, SS58)).toBe(true); // pure JS (WASM not yet initialised)
    expect(await cryptoReady()).toBe(true);
    expect(verify(SIG_MESSAGE, SIGNATURE, SS58)).toBe(true); // WASM
    expect(verify(`${SIG_MESSAGE}x`, SIGNATURE, SS58)).toBe(false);
    expect(verify(SIG_MESSAGE, SIGNATURE, '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY')).toBe(false);
  });

  it('signs as 0x + 128 hex and verifies its own signatures; malformed ones are just false', () => {
    const kp = keypairFromMnemonic(MNEMONIC);
    const sig = sign(kp, SIG_MESSAGE);
    expect(sig).toMatch(/^0x[0-9a-f]{128}$/);
    expect(verify(SIG_MESSAGE, sig, kp)).toBe(true);
    expect(verify(SIG_MESSAGE, sig.slice(2), kp)).toBe(false); // btwallet requires the 0x prefix
    expect(verify(SIG_MESSAGE, '0x1234', kp)).toBe(false);
    expect(verify(SIG_MESSAGE, sig, 'garbage')).toBe(false);
  });

  it('accepts signatures over <Bytes>message</Bytes> as btwallet does', () => {
    const kp = keypairFromUri('//Alice');
    expect(verify('hello', sign(kp, '<Bytes>hello</Bytes>'), kp.ss58Address)).toBe(true);
  });

  it('reads 0x-prefixed string messages as hex, like btwallet', () => {
    const kp = keypairFromUri('//Alice');
    expect(verify(new Uint8Array([0xab, 0xcd]), sign(kp, '0xabcd'), kp)).toBe(true);
  });
});

describe('keyfiles (python-wire.md §5.2–5.3, §9.7)', () => {
  let key: Uint8Array;
  beforeAll(async () => {
    key = await deriveKeyfileKey(PASSWORD);
  }, 120_000);

  it('derives the Argon2i key of the vector password in a worker thread', () => {
    expect(u8aToHex(key)).toBe(ARGON_KEY);
  });

  it('decrypts the §9.7 keyfile to the vector keypair', async () => {
    const plain = await decryptKeyfileData(new Uint8Array(Buffer.from(NACL_FILE, 'hex')), { key });
    const json = JSON.parse(Buffer.from(plain).toString());
    expect(json).toEqual(keyfileJson(keypairFromMnemonic(MNEMONIC)));
    expect(parseKeyfile(plain).ss58Address).toBe(SS58);
  });

  it('encrypts byte for byte like PyNaCl given the same nonce', async () => {
    const nonce = new Uint8Array(24).map((_, i) => i);
    const out = await encryptKeyfileData(serializeKeyfile(keypairFromMnemonic(MNEMONIC)), { key }, { nonce });
    expect(Buffer.from(out).toString('hex')).toBe(NACL_FILE);
  });

  it('a wrong key or an altered file is KEYFILE_WRONG_PASSWORD; truncation is KEYFILE_CORRUPT', async () => {
    const file = new Uint8Array(Buffer.from(NACL_FILE, 'hex'));
    expect(await keysErrorCode(decryptKeyfileData(file, { key: new Uint8Array(32) }))).toBe('KEYFILE_WRONG_PASSWORD');
    const altered = file.slice();
    altered[100]! ^= 1;
    expect(await keysErrorCode(decryptKeyfileData(altered, { key }))).toBe('KEYFILE_WRONG_PASSWORD');
    expect(await keysErrorCode(decryptKeyfileData(file.subarray(0, 20), { key }))).toBe('KEYFILE_CORRUPT');
    expect(
      await keysErrorCode(decryptKeyfileData(new TextEncoder().encode('$ANSIBLE_VAULT;1.1;AES256'), { key })),
    ).toBe('KEYFILE_UNSUPPORTED_ENCRYPTION');
  });

  it('loads keyfiles by btwallet priority and rejects corrupt ones', async () => {
    const kp = keypairFromMnemonic(MNEMONIC);
    const enc = (o: object) => new TextEncoder().encode(JSON.stringify(o));
    expect(parseKeyfile(enc({ secretSeed: SEED })).ss58Address).toBe(SS58);
    expect(parseKeyfile(enc({ privateKey: PRIVATE_KEY })).ss58Address).toBe(SS58);
    const pubOnly = parseKeyfile(serializeKeyfile(kp, { publicOnly: true }));
    expect(pubOnly.ss58Address).toBe(SS58);
    expect(pubOnly.secretKey).toBeUndefined();
    expect(await keysErrorCode(() => parseKeyfile(enc({})))).toBe('KEYFILE_CORRUPT');
    expect(await keysErrorCode(() => parseKeyfile(new TextEncoder().encode('{not json')))).toBe('KEYFILE_CORRUPT');
    expect(
      await keysErrorCode(() =>
        parseKeyfile(enc({ secretSeed: SEED, ss58Address: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY' })),
      ),
    ).toBe('KEYFILE_CORRUPT');
  });

  it('reads BT_PW_* passwords XOR-ed with the variable name', () => {
    const name = envVarNameForKeyfile('/home/me/.bittensor/wallets/default/coldkey');
    expect(name).toBe('BT_PW__HOME_ME__BITTENSOR_WALLETS_DEFAULT_COLDKEY');
    const env = { [name]: passwordToEnvironmentValue(name, PASSWORD) };
    expect(passwordFromEnvironment(name, env)).toBe(PASSWORD);
    expect(passwordFromEnvironment('BT_PW_UNSET', env)).toBeUndefined();
  });
});

describe('wallets on disk (python-wire.md §5.1)', () => {
  it('writes the btwallet layout with 0600 files and loads each key back', async () => {
    const root = await mkdtemp(join(tmpdir(), 'snk-wallet-'));
    const w = createWallet({ path: root, name: 'val', hotkey: 'hk', env: {} });
    await w.regenerateColdkey({ mnemonic: MNEMONIC }, { usePassword: false });
    const { keypair: hot } = await w.createNewHotkey();
    expect(await readdir(join(root, 'val'))).toEqual(expect.arrayContaining(['coldkey', 'coldkeypub.txt', 'hotkeys']));
    expect((await readdir(join(root, 'val', 'hotkeys'))).sort()).toEqual(['hk', 'hkpub.txt']);
    for (const p of [w.coldkeyPath, w.coldkeypubPath, w.hotkeyPath, w.hotkeypubPath])
      expect((await stat(p)).mode & 0o777).toBe(0o600);
    expect((await w.getColdkey()).ss58Address).toBe(SS58);
    expect((await w.getColdkeypub()).ss58Address).toBe(SS58);
    expect((await w.getHotkey()).ss58Address).toBe(hot.ss58Address);
    expect((await w.getHotkeypub()).secretKey).toBeUndefined();
    const pub = JSON.parse(await readFile(w.coldkeypubPath, 'utf8'));
    expect(Object.keys(pub)).toEqual(['accountId', 'publicKey', 'ss58Address']);
  });

  it('never overwrites a key without overwrite: true, and a refusal changes nothing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'snk-wallet-'));
    const w = createWallet({ path: root, name: 'w', hotkey: 'h', env: {} });
    await w.regenerateHotkey({ uri: '//Alice' });
    const before = await readFile(w.hotkeyPath);
    expect(await keysErrorCode(w.regenerateHotkey({ uri: '//Bob' }))).toBe('KEYFILE_EXISTS');
    expect(await readFile(w.hotkeyPath)).toEqual(before);
    await w.regenerateHotkey({ uri: '//Bob' }, { overwrite: true });
    expect((await w.getHotkey()).ss58Address).toBe(keypairFromUri('//Bob').ss58Address);
    expect((await readdir(join(root, 'w', 'hotkeys'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('asks for a password for encrypted coldkeys and rejects unsafe names', async () => {
    const root = await mkdtemp(join(tmpdir(), 'snk-wallet-'));
    const w = createWallet({ path: root, name: 'w', env: {} });
    expect(await keysErrorCode(w.regenerateColdkey({ mnemonic: MNEMONIC }))).toBe('KEYFILE_NEEDS_PASSWORD');
    expect(await keysErrorCode(w.getColdkey())).toBe('KEYFILE_NOT_FOUND');
    await mkdir(join(root, 'w'), { recursive: true });
    await writeFile(w.coldkeyPath, Buffer.from(NACL_FILE, 'hex'));
    expect(await keysErrorCode(w.getColdkey())).toBe('KEYFILE_NEEDS_PASSWORD');
    expect(await keysErrorCode(() => createWallet({ name: '../etc', env: {} }))).toBe('WALLET_INVALID_NAME');
  });

  it('decrypts a $NACL coldkey with its password from BT_PW_* (one ≈10 s Argon2 run, off the main thread)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'snk-wallet-'));
    await mkdir(join(root, 'w'), { recursive: true });
    const coldkeyPath = join(root, 'w', 'coldkey');
    await writeFile(coldkeyPath, Buffer.from(NACL_FILE, 'hex'));
    const name = envVarNameForKeyfile(coldkeyPath);
    const w = createWallet({ path: root, name: 'w', env: { [name]: passwordToEnvironmentValue(name, PASSWORD) } });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 50);
    const kp = await w.getColdkey();
    clearInterval(timer);
    expect(kp.ss58Address).toBe(SS58);
    expect(ticks).toBeGreaterThan(20); // the event loop kept running during key derivation
  }, 120_000);
});
